/**
 * @module boot/swap/overwrite
 * Overwrite-only upgrades (mirrors loader.c boot_copy_image, with MCUBOOT_OVERWRITE_ONLY_FAST):
 * erase the primary, copy the secondary over it, erase the secondary's header and trailer
 * sectors. No status is kept; an interrupted copy simply restarts.
 */
import { bootAssert, copyRegion, eraseRegion, sectorOff, sectorSize, type BootState } from '../boot-state.js';
import { readTlvInfo } from '../image-header.js';
import { swapInfoOff, trailerSize, writeMagic } from '../trailer.js';
import { readHeaderPlain } from './misc.js';
import { scratchSlotsCompatible } from './scratch.js';
import type { SwapStrategy } from './strategy.js';

/** boot_copy_image. */
export function bootCopyImage(st: BootState): void {
  const pri = st.pri;
  const sec = st.sec;
  let srcSize = 0;
  if (st.cfg.overwriteFast) {
    const h = st.hdr[1];
    const info = h === undefined ? undefined : readTlvInfo(sec, 0, h);
    bootAssert(info !== undefined, 'boot_copy_image (loader.c): boot_read_image_size(secondary) failed');
    srcSize = info.tlvEnd;
  }
  let size = 0;
  const n = st.priSectors.length;
  for (let k = 0; k < n; k++) {
    const thisSize = sectorSize(st.priSectors, k);
    eraseRegion(pri, size, thisSize, false);
    if (st.cfg.overwriteFast && size + thisSize >= srcSize) {
      size += srcSize - size;
      size += st.writeSz - (size % st.writeSz);
      break;
    }
    size += thisSize;
  }
  if (st.cfg.overwriteFast) {
    const t = trailerSize(st.layout, st.writeSz);
    let k = n - 1;
    let sz = 0;
    let off = 0;
    do {
      sz += sectorSize(st.priSectors, k);
      off = sectorOff(st.priSectors, k);
      k--;
    } while (sz < t && k >= 0);
    eraseRegion(pri, off, sz, false);
  }
  copyRegion(st, sec, pri, 0, 0, size);
  if (st.cfg.overwriteFast) writeMagic(pri, st.layout);
  eraseRegion(sec, sectorOff(st.secSectors, 0), sectorSize(st.secSectors, 0), false);
  const last = st.secSectors.length - 1;
  eraseRegion(sec, sectorOff(st.secSectors, last), sectorSize(st.secSectors, last), false);
}

export const overwriteStrategy: SwapStrategy = {
  name: 'overwrite',
  readImageHeader: (st, slot) => readHeaderPlain(st, slot),
  statusSource: () => ({ source: 'none', row: undefined }),
  readStatusBytes: () => undefined,
  slotsCompatible: (st) => scratchSlotsCompatible(st, false),
  run: (st) => {
    bootCopyImage(st);
  },
  maxImageSize: (st, area) => swapInfoOff(area.size, st.layout),
};

