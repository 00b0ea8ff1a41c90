/**
 * @module boot/status
 * Where swap progress is read from: the status-source tables of swap_scratch.c
 * (boot_status_tables) and swap_move.c / swap_offset.c (swap_status_source), as data.
 */
import type { StatusSource } from './constants.js';
import type { FlagPattern, MagicPattern } from './swap-type.js';
import { flagMatches, magicMatches } from './swap-type.js';
import type { SwapState } from './trailer.js';

export interface ScratchStatusRow {
  readonly row: number;
  readonly magicPrimary: MagicPattern;
  readonly magicScratch: MagicPattern;
  readonly copyDonePrimary: FlagPattern;
  readonly source: StatusSource;
}

/** swap_scratch.c boot_status_tables. */
export const SCRATCH_STATUS_TABLE: readonly ScratchStatusRow[] = [
  { row: 1, magicPrimary: 'good', magicScratch: 'notGood', copyDonePrimary: 'set', source: 'none' },
  { row: 2, magicPrimary: 'good', magicScratch: 'notGood', copyDonePrimary: 'unset', source: 'primary' },
  { row: 3, magicPrimary: 'any', magicScratch: 'good', copyDonePrimary: 'any', source: 'scratch' },
  { row: 4, magicPrimary: 'unset', magicScratch: 'any', copyDonePrimary: 'unset', source: 'primary' },
];

export interface StatusSourceDecision {
  readonly source: StatusSource;
  readonly row: number | undefined;
}

export function scratchStatusSource(primary: SwapState, scratch: SwapState): StatusSourceDecision {
  for (const r of SCRATCH_STATUS_TABLE) {
    if (magicMatches(r.magicPrimary, primary.magic) && magicMatches(r.magicScratch, scratch.magic)
      && flagMatches(r.copyDonePrimary, primary.copyDone)) {
      return { source: r.source, row: r.row };
    }
  }
  return { source: 'none', row: undefined };
}

/** swap_move.c / swap_offset.c: the primary holds progress iff GOOD, copy_done unset, secondary not GOOD. */
export function moveStatusSource(primary: SwapState, secondary: SwapState): StatusSourceDecision {
  if (primary.magic === 'good' && primary.copyDone === 'unset' && secondary.magic !== 'good') return { source: 'primary', row: 1 };
  return { source: 'none', row: undefined };
}
