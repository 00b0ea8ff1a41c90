/**
 * @module boot/report
 * A boot result for people and for tools: `explainBoot` puts the decision path into sentences
 * (what was read, which table row decided, what validation said, what was done, why this image
 * boots); `toVectorResult` renders the result with the field names of the boot vectors' `result`
 * (outcome, rc, boot.image_off, boot.version, trailers) and `toVectorOps` the ops as theirs.
 */
import type { FlashOp } from '../flash/nor-flash.js';
import { swapTypeName } from './constants.js';
import type { BootEvent } from './boot-state.js';
import type { BootResult } from './loader.js';
import type { SwapState } from './trailer.js';

/** A decoded trailer in words. */
export const trailerWords = (s: SwapState): string =>
  `magic ${s.magic}, image_ok ${s.imageOk}, copy_done ${s.copyDone}, swap_info ${swapTypeName(s.swapType)}`;

function sentence(e: BootEvent): string {
  switch (e.kind) {
    case 'trailers':
      return `Read the trailers. Primary: ${trailerWords(e.primary)}. Secondary: ${trailerWords(e.secondary)}.`;
    case 'status':
      return e.source === 'none'
        ? 'No swap was in progress (no trailer holds swap status).'
        : `A swap was started earlier: its progress is recorded in the ${e.source} trailer (status table row ${e.row ?? '?'}).`;
    case 'progress':
      return e.resume
        ? `Resuming the interrupted ${e.swapType} swap at step ${e.idx}, sub-step ${e.state}${e.op === 'move' ? ' (move phase)' : ''}.`
        : `A ${e.swapType} swap was set up but had not started copying: re-validating the secondary before redoing it.`;
    case 'decision':
      return e.row === undefined ? `Decision: ${e.meaning}.` : `Decision: ${e.swapType.toUpperCase()} (decision table row ${e.row}: ${e.meaning}).`;
    case 'validation': {
      const erased = e.erased === 'slot' ? ' The whole slot was erased.' : e.erased === 'trailer' ? ' Its stale trailer was erased.' : '';
      if (e.result === 'valid') return `The ${e.slot} image is valid (${e.reason}).`;
      if (e.result === 'no-image') return `The ${e.slot} slot holds no bootable image (${e.reason}).${erased}`;
      return `The ${e.slot} image is invalid: ${e.reason}.${erased}`;
    }
    case 'action':
      return `${e.what.charAt(0).toUpperCase()}${e.what.slice(1)}.`;
    case 'defect':
      return `MCUboot defect: ${e.what} Avoid: ${e.avoid}.`;
  }
}

/** The decision path in words, ending with the outcome. */
export function explainBoot(r: BootResult): string[] {
  const lines = r.events.map(sentence);
  const writes = r.ops.filter((o) => o.op === 'write').length;
  lines.push(`${r.ops.length} flash operations (${r.ops.length - writes} erases, ${writes} writes).`, ...opsByArea(r.ops));
  if (r.outcome === 'ok' && r.boot !== undefined) lines.push(`Boots version ${r.boot.version} from the primary slot at 0x${r.boot.imageOff.toString(16)}.`, ...nextBoot(r));
  else if (r.outcome === 'assert') lines.push(`MCUboot stops on an assertion (${r.assertion ?? 'unknown'}): the device does not boot until it is reflashed.`);
  else lines.push('No image boots: the bootloader returns without a bootable image.');
  return lines;
}

/** What was erased and written in each area (`  primary: 11 erases (44 KiB), 59 writes (41048 bytes)`). */
function opsByArea(ops: readonly FlashOp[]): string[] {
  const byArea = new Map<string, { erases: number; erased: number; writes: number; written: number }>();
  for (const o of ops) {
    const name = o.area ?? 'outside any area';
    const w = byArea.get(name) ?? { erases: 0, erased: 0, writes: 0, written: 0 };
    if (o.op === 'erase') { w.erases++; w.erased += o.len; } else { w.writes++; w.written += o.len; }
    byArea.set(name, w);
  }
  const size = (n: number): string => (n >= 1024 && n % 1024 === 0 ? `${n / 1024} KiB` : `${n} bytes`);
  return [...byArea].map(([area, w]) => `  ${area}: ${[
    ...(w.erases > 0 ? [`${w.erases} erase${w.erases === 1 ? '' : 's'} (${size(w.erased)})`] : []),
    ...(w.writes > 0 ? [`${w.writes} write${w.writes === 1 ? '' : 's'} (${size(w.written)})`] : []),
  ].join(', ')}`);
}

/** What the trailers left behind mean for the next boot. */
function nextBoot(r: BootResult): string[] {
  const p = r.trailers.primary;
  if (p.magic === 'good' && p.copyDone === 'set' && p.imageOk === 'unset') {
    return ['Next boot: this image runs as a test; unless it calls boot_set_confirmed(), the next boot reverts to the previous image.'];
  }
  if (r.swapType === 'revert') return ['Next boot: the previous image is back and confirmed; the rejected one sits in the secondary slot.'];
  if (r.swapType === 'perm') return ['Next boot: the same image (the upgrade is permanent).'];
  return [];
}

export interface VectorTrailer { readonly magic: string; readonly swap_type: string; readonly copy_done: string; readonly image_ok: string; readonly image_num: number }

export const toVectorTrailer = (s: SwapState): VectorTrailer =>
  ({ magic: s.magic, swap_type: swapTypeName(s.swapType), copy_done: s.copyDone, image_ok: s.imageOk, image_num: s.imageNum });

/** The result with the vectors' field names (scenario.json `result`). */
export function toVectorResult(r: BootResult): Record<string, unknown> {
  return {
    outcome: r.outcome,
    ...(r.rc !== undefined ? { rc: r.rc } : {}),
    ops: r.ops.length,
    ...(r.boot !== undefined ? { boot: { flash_dev_id: r.boot.flashDevId, image_off: r.boot.imageOff, slot: r.boot.slot, version: r.boot.version, img_size: r.boot.imgSize } } : {}),
    trailers: { primary: toVectorTrailer(r.trailers.primary), secondary: toVectorTrailer(r.trailers.secondary) },
  };
}

/** One op with the vectors' field names; `sha256` must be supplied by the caller (no hashing in core). */
export function toVectorOp(o: FlashOp, sha256?: (data: Uint8Array) => string): Record<string, unknown> {
  return {
    op: o.op, off: o.off, len: o.len, area: o.area, area_off: o.areaOff,
    ...(o.data !== undefined && sha256 !== undefined ? { sha256: sha256(o.data) } : {}),
    ...(o.data !== undefined && o.len <= 64 ? { data: [...o.data].map((b) => b.toString(16).padStart(2, '0')).join('') } : {}),
  };
}
