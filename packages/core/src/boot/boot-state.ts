/**
 * @module boot/boot-state
 * The bootloader's working state (struct boot_loader_state and struct boot_status of
 * bootutil_priv.h) and the flash primitives every algorithm shares: boot_erase_region,
 * boot_copy_region (bootutil_area.c / loader.c), swap_scramble_trailer_sectors,
 * swap_status_init (swap_misc.c) and boot_write_status (loader.c).
 */
import type { FlashArea } from '../flash/flash-area.js';
import type { Sector } from '../flash/geometry.js';
import type { NorFlash } from '../flash/nor-flash.js';
import type { ResolvedBootConfig } from './config.js';
import { BOOT_STATUS_IDX_0, BOOT_STATUS_STATE_0, SwapType, type FlagState, type MagicState, type StatusSource } from './constants.js';
import type { ImageHeader } from './image-header.js';
import {
  readSwapState, scratchTrailerSize, statusOff, trailerSize, writeImageOk, writeMagic, writeSwapInfo, writeSwapSize,
  writeUnprotTlvSizes, type SwapState, type TrailerLayout,
} from './trailer.js';

/** An entry of the decision path: what the bootloader read, decided and did, in order. */
export type BootEvent =
  | { readonly kind: 'trailers'; readonly primary: SwapState; readonly secondary: SwapState }
  | { readonly kind: 'status'; readonly source: StatusSource; readonly row: number | undefined; readonly scratch?: SwapState }
  | { readonly kind: 'progress'; readonly idx: number; readonly state: number; readonly op: 'move' | 'swap'; readonly swapType: string; readonly resume: boolean }
  | { readonly kind: 'decision'; readonly swapType: string; readonly row: number | undefined; readonly meaning: string }
  | { readonly kind: 'validation'; readonly slot: 'primary' | 'secondary'; readonly result: 'valid' | 'invalid' | 'no-image'; readonly reason: string; readonly erased: 'nothing' | 'trailer' | 'slot' }
  | { readonly kind: 'action'; readonly what: string }
  | { readonly kind: 'defect'; readonly what: string; readonly avoid: string };

/** struct boot_status. */
export interface BootStatus {
  idx: number;
  state: number;
  op: 'move' | 'swap';
  swapType: number;
  swapSize: number;
  source: StatusSource;
  useScratch: boolean;
  /** swap-offset: it_tlv_tot of the primary / secondary unprotected TLV areas. */
  unprotPri: number;
  unprotSec: number;
}

export function resetStatus(bs: BootStatus, mode: ResolvedBootConfig['mode']): void {
  bs.idx = BOOT_STATUS_IDX_0;
  bs.state = BOOT_STATUS_STATE_0;
  bs.op = mode === 'swap-move' ? 'move' : 'swap';
  bs.swapType = SwapType.NONE;
  bs.swapSize = 0;
  bs.source = 'none';
  bs.useScratch = false;
  bs.unprotPri = 0;
  bs.unprotSec = 0;
}

export function newStatus(mode: ResolvedBootConfig['mode']): BootStatus {
  const bs = { idx: 1, state: 1, op: 'swap', swapType: 1, swapSize: 0, source: 'none', useScratch: false, unprotPri: 0, unprotSec: 0 } as BootStatus;
  resetStatus(bs, mode);
  return bs;
}

/** boot_status_is_reset. */
export function isStatusReset(bs: BootStatus, mode: ResolvedBootConfig['mode']): boolean {
  return bs.idx === BOOT_STATUS_IDX_0 && bs.state === BOOT_STATUS_STATE_0 && (mode !== 'swap-move' || bs.op === 'move');
}

/** MCUboot's assert(): the run stops here (the vectors' `assert` outcome). */
export class BootAssertion {
  readonly name = 'BootAssertion';
  readonly where: string;
  constructor(where: string) {
    this.where = where;
  }
}

export function bootAssert(cond: boolean, where: string): asserts cond {
  if (!cond) throw new BootAssertion(where);
}

/** struct boot_loader_state for one image. */
export interface BootState {
  readonly cfg: ResolvedBootConfig;
  readonly flash: NorFlash;
  readonly layout: TrailerLayout;
  readonly pri: FlashArea;
  readonly sec: FlashArea;
  readonly scr: FlashArea | undefined;
  priSectors: readonly Sector[];
  secSectors: readonly Sector[];
  /** boot_img_hdr(state, slot); undefined until read. */
  hdr: [ImageHeader | undefined, ImageHeader | undefined];
  /** swap-offset: where the secondary image starts (0 or one sector). */
  secondaryOffset: number;
  swapType: number;
  /** BOOT_WRITE_SZ. */
  writeSz: number;
  readonly imageIndex: number;
  readonly events: BootEvent[];
}

export const sectorOff = (list: readonly Sector[], i: number): number => (list[i] as Sector).off;
export const sectorSize = (list: readonly Sector[], i: number): number => (list[i] as Sector | undefined)?.size ?? 0;

function sectorAt(area: FlashArea, off: number): Sector {
  const list = area.sectors();
  for (const s of list) if (off >= s.off && off < s.off + s.size) return s;
  throw new BootAssertion(`flash_area_get_sector: offset 0x${off.toString(16)} outside ${area.name}`);
}

/** boot_erase_region: one erase per overlapped sector, ascending (or descending). */
export function eraseRegion(area: FlashArea, off: number, size: number, backwards: boolean): void {
  if (size === 0) return;
  bootAssert(off + size <= area.size, `boot_erase_region: range outside ${area.name}`);
  if (backwards) {
    const endOffset = sectorAt(area, off).off;
    let o = off + size - 1;
    for (;;) {
      const s = sectorAt(area, o);
      area.erase(s.off, s.size);
      if (endOffset >= s.off) break;
      o = s.off - 1;
    }
  } else {
    const last = sectorAt(area, off + size - 1);
    const endOffset = last.off + last.size;
    let o = off;
    for (;;) {
      const s = sectorAt(area, o);
      area.erase(s.off, s.size);
      o = s.off + s.size;
      if (o >= endOffset) break;
    }
  }
}

/** boot_copy_region: chunked read + write (no encryption). */
export function copyRegion(st: BootState, src: FlashArea, dst: FlashArea, srcOff: number, dstOff: number, size: number): void {
  const chunk = st.cfg.copyChunkBytes;
  const buf = new Uint8Array(chunk);
  for (let done = 0; done < size;) {
    const n = Math.min(chunk, size - done);
    const view = n === chunk ? buf : buf.subarray(0, n);
    src.readInto(srcOff + done, view);
    dst.write(dstOff + done, view);
    done += n;
  }
}

/** swap_scramble_trailer_sectors: erase from the sector holding the trailer start to the end, last first. */
export function scrambleTrailerSectors(st: BootState, area: FlashArea): void {
  const t = trailerSize(st.layout, st.writeSz);
  const first = sectorAt(area, area.size - t);
  eraseRegion(area, first.off, area.size - first.off, true);
}

/** boot_scramble_slot: erase the whole slot, ascending. */
export function scrambleSlot(area: FlashArea): void {
  eraseRegion(area, 0, area.size, false);
}

/** swap_status_init: swap_info, [image_ok], swap_size, [unprot sizes], magic (last). */
export function swapStatusInit(st: BootState, area: FlashArea, bs: BootStatus): void {
  const secState = readSwapState(st.sec, st.layout);
  if (bs.swapType !== SwapType.NONE) writeSwapInfo(area, st.layout, bs.swapType, st.imageIndex);
  if (secState.imageOk === 'set') writeImageOk(area, st.layout);
  writeSwapSize(area, st.layout, bs.swapSize);
  if (st.cfg.mode === 'swap-offset') writeUnprotTlvSizes(area, st.layout, bs.unprotPri, bs.unprotSec);
  writeMagic(area, st.layout);
}

/** boot_status_internal_off for each mode. */
export function statusInternalOff(st: BootState, bs: BootStatus, elemSz: number): number {
  switch (st.cfg.mode) {
    case 'swap-move': {
      const idxSz = elemSz * (bs.op === 'move' ? 1 : 2);
      return (bs.op === 'move' ? 0 : st.cfg.maxImgSectors * elemSz) + (bs.idx - BOOT_STATUS_IDX_0) * idxSz + (bs.state - BOOT_STATUS_STATE_0) * elemSz;
    }
    case 'swap-offset':
      return (bs.idx - BOOT_STATUS_IDX_0) * 2 * elemSz + (bs.state - BOOT_STATUS_STATE_0) * elemSz;
    default:
      return (bs.idx - BOOT_STATUS_IDX_0) * 3 * elemSz + (bs.state - BOOT_STATUS_STATE_0) * elemSz;
  }
}

/** boot_write_status: one `align`-byte write of the state value into the status area. */
export function writeStatus(st: BootState, bs: BootStatus): void {
  const area = bs.useScratch ? (st.scr as FlashArea) : st.pri;
  const off = statusOff(area, st.layout, bs.useScratch) + statusInternalOff(st, bs, st.writeSz);
  const buf = new Uint8Array(area.writeAlign).fill(area.erasedValue);
  buf[0] = bs.state;
  area.write(off, buf);
}

/** bootutil_buffer_is_erased on one status byte. */
export const isErasedByte = (area: FlashArea, b: number): boolean => b === area.erasedValue;

export { scratchTrailerSize };
export type { FlagState, MagicState };
