/**
 * @module boot/swap/move
 * Swap using move (mirrors swap_move.c: boot_read_image_header, swap_status_source,
 * swap_read_status_bytes, boot_slots_compatible, find_last_idx, fixup_revert,
 * boot_move_sector_up, boot_swap_sectors, swap_run, app_max_size). The primary image is first
 * moved up one sector, then sectors are swapped pairwise from the bottom.
 */
import type { FlashArea } from '../../flash/flash-area.js';
import { BootRc, BOOT_STATUS_IDX_0, BOOT_STATUS_STATE_0, BOOT_STATUS_STATE_1, IMAGE_MAGIC, SwapType } from '../constants.js';
import {
  copyRegion, eraseRegion, isStatusReset, scrambleTrailerSectors, sectorOff, sectorSize, swapStatusInit, writeStatus,
  type BootState, type BootStatus,
} from '../boot-state.js';
import { readImageHeader } from '../image-header.js';
import { moveStatusSource } from '../status.js';
import { alignUp, readSwapSize, readSwapState, statusOff, trailerSize, writeImageOk, writeMagic, writeSwapSize } from '../trailer.js';
import { findStatusArea } from './misc.js';
import type { SwapStrategy } from './strategy.js';

/** find_last_idx: number of sectors covering swap_size (at least 1). */
export function findLastIdx(st: BootState, swapSize: number): number {
  const s = sectorSize(st.priSectors, 0);
  let sz = 0;
  let last = 0;
  for (;;) {
    sz += s;
    last++;
    if (sz >= swapSize) return last;
  }
}

function readHeader(st: BootState, slot: 0 | 1, bs: BootStatus | undefined): number {
  let off = 0;
  let s: 0 | 1 = slot;
  if (bs !== undefined && !isStatusReset(bs, st.cfg.mode)) {
    const swapSize = readSwapSize(findStatusArea(st), st.layout);
    const lastIdx = findLastIdx(st, swapSize);
    const sz = sectorSize(st.priSectors, 0);
    if (bs.op === 'move' && slot === 0 && bs.idx > lastIdx) {
      off = sz;
    } else if (bs.op === 'swap') {
      if (bs.idx > 1 && bs.idx <= lastIdx) {
        s = slot === 0 ? 1 : 0;
      } else if (bs.idx === 1) {
        if (slot === 0) off = sz;
        if (slot === 1 && bs.state === 2) s = 0;
      }
    }
  }
  const h = readImageHeader(s === 0 ? st.pri : st.sec, off);
  st.hdr[slot] = h;
  // Only a status-aware read (bs given) insists on an image magic.
  return bs === undefined || h.magic === IMAGE_MAGIC ? BootRc.OK : -1;
}

function fixupRevert(st: BootState, bs: BootStatus): void {
  if (bs.swapType !== SwapType.REVERT || bs.op !== 'move' || bs.idx !== BOOT_STATUS_IDX_0) return;
  const ss = readSwapState(st.sec, st.layout);
  if (ss.magic === 'unset') {
    scrambleTrailerSectors(st, st.sec);
    writeImageOk(st.sec, st.layout);
    writeSwapSize(st.sec, st.layout, bs.swapSize);
    writeMagic(st.sec, st.layout);
  }
}

function moveSectorUp(st: BootState, idx: number, sz: number, bs: BootStatus): void {
  const newOff = sectorOff(st.priSectors, idx);
  const oldOff = sectorOff(st.priSectors, idx - 1);
  if (bs.idx === BOOT_STATUS_IDX_0) {
    if (bs.source !== 'primary') {
      scrambleTrailerSectors(st, st.pri);
      swapStatusInit(st, st.pri, bs);
    }
    scrambleTrailerSectors(st, st.sec);
  }
  eraseRegion(st.pri, newOff, sz, false);
  copyRegion(st, st.pri, st.pri, oldOff, newOff, sz);
  writeStatus(st, bs);
  bs.idx++;
}

function swapSectors(st: BootState, idx: number, sz: number, bs: BootStatus): void {
  const priUpOff = sectorOff(st.priSectors, idx);
  const priOff = sectorOff(st.priSectors, idx - 1);
  const secOff = sectorOff(st.secSectors, idx - 1);
  if (bs.state === BOOT_STATUS_STATE_0) {
    eraseRegion(st.pri, priOff, sz, false);
    copyRegion(st, st.sec, st.pri, secOff, priOff, sz);
    writeStatus(st, bs);
    bs.state = BOOT_STATUS_STATE_1;
  }
  if (bs.state === BOOT_STATUS_STATE_1) {
    eraseRegion(st.sec, secOff, sz, false);
    copyRegion(st, st.pri, st.sec, priUpOff, secOff, sz);
    writeStatus(st, bs);
    bs.idx++;
    bs.state = BOOT_STATUS_STATE_0;
  }
}

export const moveStrategy: SwapStrategy = {
  name: 'move',
  readImageHeader: readHeader,
  statusSource: (st) => moveStatusSource(readSwapState(st.pri, st.layout), readSwapState(st.sec, st.layout)),
  readStatusBytes(st, area: FlashArea, bs) {
    const maxEntries = 3 * st.cfg.maxImgSectors;
    const off = statusOff(area, st.layout, false);
    let foundIdx = -1;
    const raw = area.read(off, maxEntries * st.writeSz);
    for (let i = maxEntries; i > 0; i--) {
      const b = raw[(i - 1) * st.writeSz] as number;
      if (b !== area.erasedValue) { foundIdx = i; break; }
    }
    const moveEntries = st.cfg.maxImgSectors;
    if (foundIdx === -1) return;
    if (foundIdx < moveEntries) {
      bs.op = 'move';
      bs.idx = foundIdx + BOOT_STATUS_IDX_0;
      bs.state = BOOT_STATUS_STATE_0;
    } else {
      bs.op = 'swap';
      bs.idx = Math.floor((foundIdx - moveEntries) / 2) + BOOT_STATUS_IDX_0;
      bs.state = ((foundIdx - moveEntries) % 2) + BOOT_STATUS_STATE_0;
    }
  },
  slotsCompatible(st) {
    const np = st.priSectors.length;
    const ns = st.secSectors.length;
    if (np > st.cfg.maxImgSectors) return false;
    if (!(np === ns || np === ns + 1)) return false;
    const sz = sectorSize(st.priSectors, 0);
    for (let i = 0; i < ns; i++) if (sectorSize(st.priSectors, i) !== sectorSize(st.secSectors, i)) return false;
    if (np === ns + 1 && sectorSize(st.priSectors, np - 1) !== sz) return false;
    for (let i = 0; i < np; i++) if (sectorSize(st.priSectors, i) !== sz) return false;
    return true;
  },
  run(st, bs, copySize) {
    const lastIdx = findLastIdx(st, copySize);
    const sectorSz = sectorSize(st.priSectors, 0);
    if (isStatusReset(bs, st.cfg.mode)) {
      const t = trailerSize(st.layout, st.writeSz);
      let sz = 0;
      let firstTrailerIdx = st.priSectors.length - 1;
      for (;;) {
        sz += sectorSz;
        if (sz >= t) break;
        firstTrailerIdx--;
      }
      if (lastIdx >= firstTrailerIdx) {
        st.events.push({ kind: 'action', what: 'not enough free space to run the swap: nothing moved' });
        bs.swapType = SwapType.NONE;
        return;
      }
    }
    fixupRevert(st, bs);
    if (bs.op === 'move') {
      for (let idx = lastIdx; idx > 0; idx--) {
        if (idx <= lastIdx - bs.idx + 1) moveSectorUp(st, idx, sectorSz, bs);
      }
      bs.idx = BOOT_STATUS_IDX_0;
    }
    bs.op = 'swap';
    for (let idx = 1; idx <= lastIdx; idx++) {
      if (idx >= bs.idx) swapSectors(st, idx, sectorSz, bs);
    }
  },
  maxImageSize(st) {
    const s = sectorSize(st.priSectors, 0);
    const t = alignUp(trailerSize(st.layout, st.writeSz), s);
    return Math.min(st.priSectors.length * s - t - s, st.secSectors.length * s - t);
  },
};
