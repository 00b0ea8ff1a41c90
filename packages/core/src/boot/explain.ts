/**
 * @module boot/explain
 * The boot twin's decision path in words: a pure function from a BootResult (loader.ts) to
 * lines a firmware engineer can read — the trailer states read, where swap progress came from,
 * the decision-table row and swap type, each slot's validation, what was copied and erased, and
 * the outcome with what it means for the next boot. Used by `slotwise flash boot --explain`; the
 * dashboard can show the same words. No MCUboot counterpart (MCUboot logs far less).
 */
import { swapTypeName } from './constants.js';
import type { BootEvent } from './boot-state.js';
import type { BootResult } from './loader.js';
import type { SwapState } from './trailer.js';
import type { FlashOp } from '../flash/flash-op.js';

const hex = (n: number): string => `0x${n.toString(16)}`;

/** A trailer in words: `magic good, swap_type test, copy_done unset, image_ok unset`. */
export function describeTrailer(s: SwapState): string {
  return `magic ${s.magic}, swap_type ${swapTypeName(s.swapType)}, copy_done ${s.copyDone}, image_ok ${s.imageOk}`;
}

const SWAP_TYPE_WORDS: Record<string, string> = {
  none: 'none (boot the primary as it is)',
  test: 'test (swap the new image in; revert on the next boot unless it confirms itself)',
  perm: 'perm (swap the new image in for good)',
  revert: 'revert (swap the previous image back)',
  fail: 'fail (the new image failed validation)',
  panic: 'panic',
};

const STATUS_WORDS: Record<string, string> = {
  none: 'no swap was in progress (no status area holds progress)',
  primary: 'swap progress is recorded in the primary slot\'s status area: an interrupted swap',
  scratch: 'swap progress is recorded in the scratch area\'s trailer: an interrupted swap',
};

function eventLine(e: BootEvent): string {
  switch (e.kind) {
    case 'trailers':
      return `Trailers read: primary [${describeTrailer(e.primary)}]; secondary [${describeTrailer(e.secondary)}].`;
    case 'status':
      return `Status source: ${STATUS_WORDS[e.source] ?? e.source}${e.row !== undefined ? ` (status table row ${e.row})` : ''}${e.scratch !== undefined ? `; scratch [${describeTrailer(e.scratch)}]` : ''}.`;
    case 'progress':
      return e.resume
        ? `Resuming the interrupted ${e.swapType} swap at step ${e.idx}, state ${e.state} (${e.op}).`
        : `A ${e.swapType} swap was recorded but had not started copying (step ${e.idx}, state ${e.state}).`;
    case 'decision':
      return e.row !== undefined
        ? `Decision: swap type ${SWAP_TYPE_WORDS[e.swapType] ?? e.swapType}, by row ${e.row} of the swap table: ${e.meaning}.`
        : `Decision: swap type ${SWAP_TYPE_WORDS[e.swapType] ?? e.swapType}: ${e.meaning}.`;
    case 'validation': {
      const verdict = e.result === 'valid' ? 'valid' : e.result === 'no-image' ? 'no image' : 'INVALID';
      const erased = e.erased === 'slot' ? ` The ${e.slot} slot was erased.` : e.erased === 'trailer' ? ` The ${e.slot} trailer sectors were erased.` : '';
      return `Validation of the ${e.slot} slot: ${verdict} (${e.reason}).${erased}`;
    }
    case 'action':
      return `Action: ${e.what}.`;
    case 'defect':
      return `MCUboot defect: ${e.what}. To avoid it: ${e.avoid}.`;
  }
}

interface AreaWork {
  erases: number;
  erasedBytes: number;
  writes: number;
  writtenBytes: number;
}

/** What the boot did to each area, in words (`primary: 26 sectors erased (104 KiB), 130 writes (104 KiB)`). */
export function describeOps(ops: readonly FlashOp[]): string[] {
  if (ops.length === 0) return ['Flash operations: none (nothing was erased or written).'];
  const byArea = new Map<string, AreaWork>();
  for (const op of ops) {
    const name = op.area ?? 'outside any area';
    let w = byArea.get(name);
    if (w === undefined) byArea.set(name, (w = { erases: 0, erasedBytes: 0, writes: 0, writtenBytes: 0 }));
    if (op.op === 'erase') { w.erases++; w.erasedBytes += op.len; } else { w.writes++; w.writtenBytes += op.len; }
  }
  const size = (n: number): string => (n >= 1024 && n % 1024 === 0 ? `${n / 1024} KiB` : `${n} bytes`);
  const lines = [`Flash operations: ${ops.length} (${ops.filter((o) => o.op === 'erase').length} erases, ${ops.filter((o) => o.op === 'write').length} writes).`];
  for (const [area, w] of byArea) {
    const parts: string[] = [];
    if (w.erases > 0) parts.push(`${w.erases} erase${w.erases === 1 ? '' : 's'} (${size(w.erasedBytes)})`);
    if (w.writes > 0) parts.push(`${w.writes} write${w.writes === 1 ? '' : 's'} (${size(w.writtenBytes)})`);
    lines.push(`  ${area}: ${parts.join(', ')}`);
  }
  return lines;
}

/** What the outcome means, including what the next boot will do. */
function outcomeLines(r: BootResult): string[] {
  if (r.outcome === 'assert') {
    return [`Outcome: MCUboot stops on an assertion (${r.assertion ?? 'unknown'}): the device does not boot until the flash is repaired.`];
  }
  if (r.outcome === 'fail' || r.boot === undefined) {
    return ['Outcome: no bootable image. boot_go() returns an error and the device stays in the bootloader (a brick until reflashed).'];
  }
  const lines = [`Outcome: boots version ${r.boot.version} from the primary slot (image header at ${hex(r.boot.imageOff)}).`];
  const p = r.trailers.primary;
  if (p.magic === 'good' && p.copyDone === 'set' && p.imageOk === 'unset') {
    lines.push('Next boot: this image runs as a test. Unless it calls boot_set_confirmed(), the next boot reverts to the previous image.');
  } else if (r.swapType === 'revert') {
    lines.push('Next boot: the previous image is back and confirmed; the rejected one now sits in the secondary slot.');
  } else if (r.swapType === 'perm' || (p.imageOk === 'set' && r.swapType !== 'none')) {
    lines.push('Next boot: the same image (the upgrade is permanent).');
  }
  return lines;
}

/** The whole explanation, one sentence per line. */
export function explainBoot(r: BootResult): string[] {
  return [...r.events.map(eventLine), ...describeOps(r.ops), ...outcomeLines(r)];
}
