/**
 * @module boot/swap/offset
 * Swap using offset (mirrors swap_offset.c: boot_read_image_header, swap_status_source,
 * swap_read_status_bytes, boot_slots_compatible, find_last_idx, fixup_revert, swap_run with its
 * forward and reverse loops, app_max_size). The new image sits one sector into the secondary;
 * sectors shift down by one on the way in and up by one on a revert.
 *
 * `fixed` (BootConfig) corrects the two defects of mcuboot.md §8, reproduced by default (the
 * vectors record them): (1) in boot_read_image_header's non-revert branch MCUboot compares the
 * 1-based status index with the 0-based last sector index (`bs->idx <= last_idx`); corrected, it
 * subtracts BOOT_STATUS_IDX_0 like every other comparison there. (2) fixup_revert runs again on a
 * resumed revert that already recorded progress, which makes a double cut assert; corrected, it
 * runs only before the first status entry.
 */
import { BootRc, BOOT_STATUS_IDX_0, BOOT_STATUS_STATE_0, BOOT_STATUS_STATE_1, IMAGE_MAGIC, SwapType } from '../constants.js';
import {
  copyRegion, eraseRegion, isStatusReset, scrambleTrailerSectors, sectorOff, sectorSize, swapStatusInit, writeStatus,
  type BootState, type BootStatus,
} from '../boot-state.js';
import { readImageHeader, type ImageHeader } from '../image-header.js';
import { moveStatusSource } from '../status.js';
import { decideSwapType } from '../swap-type.js';
import {
  alignUp, readSwapSize, readSwapState, readUnprotTlvSizes, statusOff, trailerSize, writeCopyDone,
} from '../trailer.js';
import { findLastIdx } from './move.js';
import { findStatusArea } from './misc.js';
import type { SwapStrategy } from './strategy.js';

/** find_last_idx of swap_offset.c: 0-based index of the last sector to process. */
const findLastIdxOffset = (st: BootState, swapSize: number): number => findLastIdx(st, swapSize) - 1;

function tableSaysRevert(st: BootState): boolean {
  const d = decideSwapType(readSwapState(st.pri, st.layout), readSwapState(st.sec, st.layout), true);
  return d.swapType === SwapType.REVERT;
}

function readHeader(st: BootState, slot: 0 | 1, bs: BootStatus | undefined): number {
  const sz = sectorSize(st.priSectors, 0);
  let s: 0 | 1 = slot;
  let off = 0;
  if (bs !== undefined && !isStatusReset(bs, st.cfg.mode)) {
    const lastIdx = findLastIdxOffset(st, readSwapSize(findStatusArea(st), st.layout));
    const j = bs.idx - BOOT_STATUS_IDX_0;
    // A revert in progress is known from the status trailer's swap_info alone.
    if (bs.swapType === SwapType.REVERT) {
      if (slot === 0 && (j > lastIdx || (j === lastIdx && bs.state === 2))) { s = 1; off = sz; }
      else if (slot === 1 && (j > lastIdx || (j === lastIdx && bs.state === 3))) { s = 0; off = 0; }
    } else {
      // DEVIATION (fixed only): MCUboot compares the 1-based idx with the 0-based last_idx here.
      const cmpIdx = st.cfg.fixed ? j : bs.idx;
      if (slot === 0 && (bs.idx > BOOT_STATUS_IDX_0 || (bs.idx === BOOT_STATUS_IDX_0 && bs.state === 2)) && cmpIdx <= lastIdx) { s = 1; off = 0; }
      else if (slot === 1) {
        if (bs.idx > BOOT_STATUS_IDX_0) { s = 0; off = 0; } else { off = sz; }
      }
    }
    const h = readImageHeader(s === 0 ? st.pri : st.sec, off);
    st.hdr[slot] = h;
    if (slot === 1 && s === 1) st.secondaryOffset = off;
    return h.magic === IMAGE_MAGIC ? BootRc.OK : -1;
  }
  const ok = (h: ImageHeader): number => (bs === undefined || h.magic === IMAGE_MAGIC ? BootRc.OK : -1);
  if (slot === 0) {
    const h = readImageHeader(st.pri, 0);
    st.hdr[0] = h;
    return ok(h);
  }
  off = tableSaysRevert(st) ? 0 : sz;
  let h = readImageHeader(st.sec, off);
  if (h.magic !== IMAGE_MAGIC) {
    off = off === 0 ? sz : 0;
    h = readImageHeader(st.sec, off);
  }
  st.hdr[1] = h;
  st.secondaryOffset = off;
  return ok(h);
}

function usedSectors(h: ImageHeader | undefined, unprot: number, s: number): number {
  if (h === undefined) return 0;
  return Math.ceil((h.hdrSize + unprot + h.protectTlvSize + h.imgSize) / s);
}

export const offsetStrategy: SwapStrategy = {
  name: 'offset',
  readImageHeader: readHeader,
  statusSource: (st) => moveStatusSource(readSwapState(st.pri, st.layout), readSwapState(st.sec, st.layout)),
  readStatusBytes(st, area, bs) {
    const maxEntries = 2 * st.cfg.maxImgSectors;
    const off = statusOff(area, st.layout, false);
    let foundIdx = -1;
    const raw = area.read(off, maxEntries * st.writeSz);
    for (let i = maxEntries; i > 0; i--) {
      const b = raw[(i - 1) * st.writeSz] as number;
      if (b !== area.erasedValue) { foundIdx = i; break; }
    }
    if (foundIdx === -1) return;
    bs.op = 'swap';
    bs.idx = Math.floor(foundIdx / 2) + BOOT_STATUS_IDX_0;
    bs.state = (foundIdx % 2) + BOOT_STATUS_STATE_0;
  },
  slotsCompatible(st) {
    const np = st.priSectors.length;
    const ns = st.secSectors.length;
    if (np > st.cfg.maxImgSectors) return false;
    if (!(ns === np || ns === np + 1)) return false;
    for (let i = 0; i < ns - 1; i++) if (sectorSize(st.priSectors, i) !== sectorSize(st.secSectors, i)) return false;
    return true;
  },
  run(st, bs, copySize) {
    const lastIdx = findLastIdxOffset(st, copySize);
    const s = sectorSize(st.priSectors, 0);
    if (isStatusReset(bs, st.cfg.mode)) {
      const t = trailerSize(st.layout, st.writeSz);
      let sz = 0;
      let firstTrailerIdx = st.priSectors.length - 1;
      for (;;) {
        sz += s;
        if (sz >= t) break;
        firstTrailerIdx--;
      }
      if (lastIdx >= firstTrailerIdx) {
        st.events.push({ kind: 'action', what: 'not enough free space to run the swap: nothing moved' });
        bs.swapType = SwapType.NONE;
        return;
      }
    }
    const revert = bs.swapType === SwapType.REVERT || tableSaysRevert(st);
    // fixup_revert. DEVIATION (fixed only): MCUboot also runs it when resuming a revert whose first
    // sub-step is already recorded (idx 1, state 2); marking the secondary GOOD then hides the
    // primary's status, and a second cut before the secondary trailer is scrambled again makes the
    // next boot restart the revert over a half-copied sector and assert (mcuboot.md §8). Fixed:
    // only a revert with no recorded progress is fixed up. Tested in test/boot-sweep.test.ts.
    const fixupAllowed = !st.cfg.fixed || bs.state === BOOT_STATUS_STATE_0;
    if (bs.swapType === SwapType.REVERT && bs.idx === BOOT_STATUS_IDX_0 && fixupAllowed) {
      const ss = readSwapState(st.sec, st.layout);
      if (ss.magic === 'unset') {
        scrambleTrailerSectors(st, st.sec);
        writeCopyDone(st.sec, st.layout);
        swapStatusInit(st, st.sec, bs);
      }
    }
    if (bs.idx === BOOT_STATUS_IDX_0) {
      if (bs.source !== 'primary') {
        scrambleTrailerSectors(st, st.pri);
        swapStatusInit(st, st.pri, bs);
      }
      scrambleTrailerSectors(st, st.sec);
    }
    const [unprotPri, unprotSec] = readUnprotTlvSizes(st.pri, st.layout);
    const usedPri = usedSectors(st.hdr[0], unprotPri, s);
    const usedSec = usedSectors(st.hdr[1], unprotSec, s);
    if (revert) {
      for (let k = 0; k <= lastIdx; k++) {
        if (k < bs.idx - BOOT_STATUS_IDX_0) continue;
        const m = lastIdx - k;
        if (bs.state === BOOT_STATUS_STATE_0) {
          if (!(m > usedPri)) {
            eraseRegion(st.sec, sectorOff(st.secSectors, m + 1), s, false);
            copyRegion(st, st.pri, st.sec, sectorOff(st.priSectors, m), sectorOff(st.secSectors, m + 1), s);
          }
          writeStatus(st, bs);
          bs.state = BOOT_STATUS_STATE_1;
        }
        if (bs.state === BOOT_STATUS_STATE_1) {
          if (!(m > usedSec)) {
            eraseRegion(st.pri, sectorOff(st.priSectors, m), s, false);
            copyRegion(st, st.sec, st.pri, sectorOff(st.secSectors, m), sectorOff(st.priSectors, m), s);
          }
          writeStatus(st, bs);
          bs.idx++;
          bs.state = BOOT_STATUS_STATE_0;
        }
      }
      eraseRegion(st.sec, 0, sectorSize(st.secSectors, 0), false);
      scrambleTrailerSectors(st, st.sec);
      // The finished revert leaves the status at its start, so the headers are read back plainly.
      bs.idx = BOOT_STATUS_IDX_0;
      bs.state = BOOT_STATUS_STATE_0;
    } else {
      for (let i = 0; i <= lastIdx; i++) {
        if (i < bs.idx - BOOT_STATUS_IDX_0) continue;
        if (bs.state === BOOT_STATUS_STATE_0) {
          if (!(i > usedPri)) {
            eraseRegion(st.sec, sectorOff(st.secSectors, i), s, false);
            copyRegion(st, st.pri, st.sec, sectorOff(st.priSectors, i), sectorOff(st.secSectors, i), s);
          }
          writeStatus(st, bs);
          bs.state = BOOT_STATUS_STATE_1;
        }
        if (bs.state === BOOT_STATUS_STATE_1) {
          if (!(i > usedSec)) {
            eraseRegion(st.pri, sectorOff(st.priSectors, i), s, false);
            copyRegion(st, st.sec, st.pri, sectorOff(st.secSectors, i + 1), sectorOff(st.priSectors, i), s);
          }
          writeStatus(st, bs);
          bs.idx++;
          bs.state = BOOT_STATUS_STATE_0;
        }
      }
    }
  },
  maxImageSize(st) {
    const s = sectorSize(st.priSectors, 0);
    const t = alignUp(trailerSize(st.layout, st.writeSz), s);
    return Math.min(st.priSectors.length * s - t, st.secSectors.length * s - t - s);
  },
};
