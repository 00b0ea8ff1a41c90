/**
 * @module boot/swap-type
 * The swap-type decision table (bootutil_public.c: boot_swap_tables, boot_swap_type_multi),
 * as readonly data. Rows are evaluated in order; the first match wins; no match = NONE.
 * Pattern values ('any', 'notGood') are distinct from the decoded trailer values.
 */
import { SwapType, type FlagState, type MagicState } from './constants.js';
import type { SwapState } from './trailer.js';

export type MagicPattern = MagicState | 'any' | 'notGood';
export type FlagPattern = FlagState | 'any';

export interface SwapTableRow {
  readonly row: number;
  readonly magicPrimary: MagicPattern;
  readonly magicSecondary: MagicPattern;
  readonly imageOkPrimary: FlagPattern;
  readonly imageOkSecondary: FlagPattern;
  readonly copyDonePrimary: FlagPattern;
  readonly copyDoneSecondary: FlagPattern;
  readonly swapType: 2 | 3 | 4;
  /** Only present in swap-offset builds. */
  readonly offsetOnly?: true;
  readonly meaning: string;
}

export const SWAP_TABLE: readonly SwapTableRow[] = [
  { row: 0, offsetOnly: true, magicPrimary: 'any', magicSecondary: 'good', imageOkPrimary: 'any', imageOkSecondary: 'unset', copyDonePrimary: 'any', copyDoneSecondary: 'set', swapType: SwapType.REVERT,
    meaning: 'the secondary was marked by an interrupted swap-offset revert (magic + copy_done): finish the revert' },
  { row: 1, magicPrimary: 'any', magicSecondary: 'good', imageOkPrimary: 'any', imageOkSecondary: 'unset', copyDonePrimary: 'any', copyDoneSecondary: 'any', swapType: SwapType.TEST,
    meaning: 'the secondary trailer requests a test upgrade (magic good, image_ok unset)' },
  { row: 2, magicPrimary: 'any', magicSecondary: 'good', imageOkPrimary: 'any', imageOkSecondary: 'set', copyDonePrimary: 'any', copyDoneSecondary: 'any', swapType: SwapType.PERM,
    meaning: 'the secondary trailer requests a permanent upgrade (magic good, image_ok set)' },
  { row: 3, magicPrimary: 'good', magicSecondary: 'any', imageOkPrimary: 'unset', imageOkSecondary: 'any', copyDonePrimary: 'set', copyDoneSecondary: 'any', swapType: SwapType.REVERT,
    meaning: 'the running image was swapped in as a test (copy_done set) and never confirmed (image_ok unset): revert' },
];

export function magicMatches(p: MagicPattern, v: MagicState): boolean {
  return p === 'any' || (p === 'notGood' ? v !== 'good' : p === v);
}
export const flagMatches = (p: FlagPattern, v: FlagState): boolean => p === 'any' || p === v;

export interface SwapDecision {
  readonly swapType: number;
  /** The matching row, or undefined when no row matched (NONE). */
  readonly row: SwapTableRow | undefined;
}

/** boot_swap_type_multi: decides from the two decoded trailers. */
export function decideSwapType(primary: SwapState, secondary: SwapState, offsetBuild: boolean): SwapDecision {
  for (const r of SWAP_TABLE) {
    if (r.offsetOnly === true && !offsetBuild) continue;
    if (magicMatches(r.magicPrimary, primary.magic) && magicMatches(r.magicSecondary, secondary.magic)
      && flagMatches(r.imageOkPrimary, primary.imageOk) && flagMatches(r.imageOkSecondary, secondary.imageOk)
      && flagMatches(r.copyDonePrimary, primary.copyDone) && flagMatches(r.copyDoneSecondary, secondary.copyDone)) {
      return { swapType: r.swapType, row: r };
    }
  }
  return { swapType: SwapType.NONE, row: undefined };
}
