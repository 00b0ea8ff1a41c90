/**
 * @module boot/swap/scratch
 * Swap using scratch (mirrors swap_scratch.c: boot_slots_compatible, swap_status_source,
 * swap_read_status_bytes, find_last_sector_idx, boot_copy_sz, boot_swap_sectors, swap_run,
 * app_max_size). Regions are swapped from the top of the slot down through the scratch area;
 * only the first region can carry the trailer (use_scratch).
 *
 * `fixed` corrects a defect found by this twin's double-cut sweeps (not in the vectors): see
 * the DEVIATION in swapSectors.
 */
import type { FlashArea } from '../../flash/flash-area.js';
import type { Sector } from '../../flash/geometry.js';
import { BOOT_STATUS_IDX_0, BOOT_STATUS_STATE_0, BOOT_STATUS_STATE_1, BOOT_STATUS_STATE_2, SwapType } from '../constants.js';
import {
  bootAssert, copyRegion, eraseRegion, scrambleTrailerSectors, sectorOff, sectorSize, swapStatusInit, writeStatus,
  type BootState, type BootStatus,
} from '../boot-state.js';
import { scratchStatusSource } from '../status.js';
import {
  readSwapState, scratchTrailerSize, statusOff, trailerSize, writeImageOk, writeMagic, writeSwapInfo, writeSwapSize,
} from '../trailer.js';
import { readHeaderPlain } from './misc.js';
import type { SwapStrategy } from './strategy.js';

/** boot_slots_compatible (swap_scratch.c); `withScratch` false gives the overwrite-only walk. */
export function scratchSlotsCompatible(st: BootState, withScratch: boolean): boolean {
  const np = st.priSectors.length;
  const ns = st.secSectors.length;
  if (np > st.cfg.maxImgSectors || ns > st.cfg.maxImgSectors) return false;
  const scratchSz = st.scr?.size ?? 0;
  let i = 0; let j = 0; let sz0 = 0; let sz1 = 0; let priSz = 0; let secSz = 0; let smaller = 0;
  while (i < np || j < ns) {
    if (sz0 === sz1) {
      sz0 += sectorSize(st.priSectors, i); sz1 += sectorSize(st.secSectors, j); i++; j++;
    } else if (sz0 < sz1) {
      sz0 += sectorSize(st.priSectors, i);
      if (smaller === 2) return false;
      smaller = 1; i++;
    } else {
      sz1 += sectorSize(st.secSectors, j);
      if (smaller === 1) return false;
      smaller = 2; j++;
    }
    if (withScratch && sz0 === sz1) {
      priSz += sz0; secSz += sz1;
      if (sz0 > scratchSz || sz1 > scratchSz) return false;
      smaller = 0; sz0 = 0; sz1 = 0;
    }
  }
  return i === np && j === ns && priSz === secSz;
}

/** boot_get_first_trailer_sector. */
export function firstTrailerSector(sectors: readonly Sector[], trailerSz: number): number {
  let k = sectors.length - 1;
  let sz = 0;
  for (;;) {
    sz += sectorSize(sectors, k);
    if (sz >= trailerSz || k === 0) return k;
    k--;
  }
}

function findLastSectorIdx(st: BootState, copySize: number): number {
  let ps = 0; let ss = 0; let ip = 0; let is = 0;
  for (;;) {
    if (ps < copySize || ps < ss) { ps += sectorSize(st.priSectors, ip); ip++; }
    if (ss < copySize || ss < ps) { ss += sectorSize(st.secSectors, is); is++; }
    if (ps >= copySize && ss >= copySize && ps === ss) break;
  }
  return ip - 1;
}

function bootCopySz(st: BootState, lastSectorIdx: number): { sz: number; first: number } {
  const scratchSz = (st.scr as FlashArea).size;
  let sz = 0;
  let i = lastSectorIdx;
  for (; i >= 0; i--) {
    const n = sz + sectorSize(st.priSectors, i);
    if (n > scratchSz) break;
    sz = n;
  }
  return { sz, first: i + 1 };
}

function swapSectors(st: BootState, idx: number, sz: number, bs: BootStatus): void {
  const pri = st.pri;
  const sec = st.sec;
  const scr = st.scr as FlashArea;
  const imgOff = sectorOff(st.priSectors, idx);
  let copySz = sz;
  const trailerSz = trailerSize(st.layout, st.writeSz);
  const firstTrailerPri = firstTrailerSector(st.priSectors, trailerSz);
  if (imgOff + sz > sectorOff(st.priSectors, firstTrailerPri)) {
    copySz = pri.size - imgOff - trailerSz;
    const scratchTrailerOff = statusOff(scr, st.layout, true);
    if (copySz > scratchTrailerOff) copySz = scratchTrailerOff;
  }
  bs.useScratch = bs.idx === BOOT_STATUS_IDX_0 && copySz !== sz;

  if (bs.state === BOOT_STATUS_STATE_0) {
    // DEVIATION (fixed only): restarting a swap whose only trailer is the scratch's (a revert cut
    // after the primary trailer was scrambled) must not erase the scratch before the primary
    // trailer holds the swap again; MCUboot does, so a second cut there loses the revert and the
    // unconfirmed image stays. Tested in test/boot-sweep.test.ts.
    const keepScratch = st.cfg.fixed && bs.idx === BOOT_STATUS_IDX_0 && !bs.useScratch && bs.source === 'scratch';
    if (!keepScratch) eraseRegion(scr, 0, scr.size, false);
    if (bs.idx === BOOT_STATUS_IDX_0) {
      if (!keepScratch) swapStatusInit(st, scr, bs);
      if (!bs.useScratch) {
        scrambleTrailerSectors(st, pri);
        swapStatusInit(st, pri, bs);
        eraseRegion(scr, 0, scr.size, false);
      }
    }
    copyRegion(st, sec, scr, imgOff, 0, copySz);
    writeStatus(st, bs);
    bs.state = BOOT_STATUS_STATE_1;
  }

  if (bs.state === BOOT_STATUS_STATE_1) {
    let eraseSz = sz;
    if (bs.idx === BOOT_STATUS_IDX_0) {
      scrambleTrailerSectors(st, sec);
      if (bs.useScratch) {
        const t = firstTrailerSector(st.secSectors, trailerSz);
        eraseSz = sectorOff(st.secSectors, t) - imgOff;
      }
    }
    if (eraseSz > 0) eraseRegion(sec, imgOff, eraseSz, false);
    copyRegion(st, pri, sec, imgOff, imgOff, copySz);
    writeStatus(st, bs);
    bs.state = BOOT_STATUS_STATE_2;
  }

  if (bs.state === BOOT_STATUS_STATE_2) {
    let eraseSz = sz;
    if (bs.useScratch) {
      scrambleTrailerSectors(st, pri);
      eraseSz = sectorOff(st.priSectors, firstTrailerPri) - imgOff;
    }
    if (eraseSz > 0) eraseRegion(pri, imgOff, eraseSz, false);
    copyRegion(st, scr, pri, 0, imgOff, copySz);
    if (bs.useScratch) {
      const scratchTrailerOff = statusOff(scr, st.layout, true);
      copyRegion(st, scr, pri, scratchTrailerOff, imgOff + copySz, 2 * st.writeSz);
      const ss = readSwapState(scr, st.layout);
      if (ss.imageOk === 'set') writeImageOk(pri, st.layout);
      if (ss.swapType !== SwapType.NONE) writeSwapInfo(pri, st.layout, ss.swapType, st.imageIndex);
      writeSwapSize(pri, st.layout, bs.swapSize);
      writeMagic(pri, st.layout);
    }
    const eraseScratch = bs.useScratch;
    bs.useScratch = false;
    writeStatus(st, bs);
    bs.idx++;
    bs.state = BOOT_STATUS_STATE_0;
    if (eraseScratch) eraseRegion(scr, 0, scr.size, true);
  }
}

export const scratchStrategy: SwapStrategy = {
  name: 'scratch',
  readImageHeader: (st, slot) => readHeaderPlain(st, slot),
  statusSource(st) {
    const p = readSwapState(st.pri, st.layout);
    const s = readSwapState(st.scr as FlashArea, st.layout);
    return scratchStatusSource(p, s);
  },
  readStatusBytes(st, area, bs) {
    const isScratch = area === st.scr;
    const off = statusOff(area, st.layout, isScratch);
    const maxEntries = isScratch ? 3 : 3 * st.cfg.maxImgSectors;
    let found = false;
    let foundIdx = 0;
    let i = 0;
    const raw = area.read(off, Math.min(maxEntries * st.writeSz, area.size - off));
    for (; i < maxEntries; i++) {
      const b = raw[i * st.writeSz] as number;
      if (b === area.erasedValue) {
        if (found && foundIdx === 0) foundIdx = i;
      } else if (!found) {
        found = true;
      } else if (foundIdx !== 0) {
        // Inconsistent status: only logged with MCUBOOT_VALIDATE_PRIMARY_SLOT, else assert(0).
        bootAssert(st.cfg.validatePrimarySlot, 'swap_read_status_bytes (swap_scratch.c): inconsistent status');
        break;
      }
    }
    if (found) {
      if (foundIdx === 0) foundIdx = i;
      bs.idx = Math.floor(foundIdx / 3) + 1;
      bs.state = (foundIdx % 3) + 1;
    }
  },
  slotsCompatible: (st) => scratchSlotsCompatible(st, true),
  run(st, bs, copySize) {
    let last = findLastSectorIdx(st, copySize);
    let swapIdx = 0;
    while (last >= 0) {
      const { sz, first } = bootCopySz(st, last);
      if (swapIdx >= bs.idx - BOOT_STATUS_IDX_0) swapSectors(st, first, sz, bs);
      last = first - 1;
      swapIdx++;
    }
  },
  maxImageSize(st, area) {
    const t = trailerSize(st.layout, st.writeSz);
    const tOff = area.size - t;
    const endOf = (list: readonly Sector[]): number => {
      const k = firstTrailerSector(list, t);
      return sectorOff(list, k) + sectorSize(list, k);
    };
    const e = Math.max(endOf(st.priSectors), endOf(st.secSectors));
    const inFirst = e - tOff;
    const scrT = scratchTrailerSize(st.layout, st.writeSz);
    const pad = scrT > inFirst ? scrT - inFirst : 0;
    return tOff - pad;
  },
};
