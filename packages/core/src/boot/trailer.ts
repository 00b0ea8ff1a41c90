/**
 * @module boot/trailer
 * The image trailer: field offsets, magic, decoding and the single-field writes.
 * Mirrors bootutil_priv.h / bootutil_misc.h (offset helpers), bootutil_public.c
 * (boot_read_swap_state, boot_write_magic, boot_write_trailer, boot_write_*_flag,
 * boot_write_swap_info) and bootutil_misc.c (boot_trailer_sz, boot_status_off,
 * boot_write_swap_size). Shared by the bootloader and the application API.
 *
 *   S - 16            magic (written as one MA-byte write at S - MA)
 *   S - MA - A        image_ok
 *   S - MA - 2A       copy_done
 *   S - MA - 3A       swap_info
 *   S - MA - 4A       swap_size (swap-offset: unprotected TLV sizes; swap_size at - 5A)
 *   S - trailer_sz    status area (N_MAX * states * write_sz bytes)
 */
import type { FlashArea } from '../flash/flash-area.js';
import type { UpgradeMode } from './config.js';
import { SwapType, type FlagState, type MagicState } from './constants.js';

/** The build constants that shape a trailer. */
export interface TrailerLayout {
  /** MCUBOOT_BOOT_MAX_ALIGN. */
  readonly bootMaxAlign: number;
  /** MCUBOOT_MAX_IMG_SECTORS. */
  readonly maxImgSectors: number;
  readonly mode: UpgradeMode;
}

/** Decoded trailer (struct boot_swap_state). */
export interface SwapState {
  readonly magic: MagicState;
  /** swap_info low nibble, NONE when erased or out of range. */
  readonly swapType: number;
  readonly copyDone: FlagState;
  readonly imageOk: FlagState;
  readonly imageNum: number;
}

const MAGIC_A8 = Uint8Array.of(0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f, 0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80);
const MAGIC_TAIL = Uint8Array.of(0x2d, 0xe1, 0x5d, 0x29, 0x41, 0x0b, 0x8d, 0x77, 0x67, 0x9c, 0x11, 0x0f, 0x1f, 0x8a);
export const BOOT_MAGIC_SZ = 16;

export const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;
export const alignDown = (n: number, a: number): number => Math.floor(n / a) * a;

/** BOOT_IMG_MAGIC for a BOOT_MAX_ALIGN (the default value for 8, `A` + fixed tail otherwise). */
export function bootMagic(bootMaxAlign: number): Uint8Array {
  if (bootMaxAlign === 8) return MAGIC_A8;
  const m = new Uint8Array(16);
  m[0] = bootMaxAlign & 0xff;
  m[1] = (bootMaxAlign >> 8) & 0xff;
  m.set(MAGIC_TAIL, 2);
  return m;
}

/** BOOT_MAGIC_ALIGN_SIZE: 16 rounded up to BOOT_MAX_ALIGN. */
export const magicAlignSize = (l: TrailerLayout): number => alignUp(BOOT_MAGIC_SZ, l.bootMaxAlign);
export const magicOff = (areaSize: number): number => areaSize - BOOT_MAGIC_SZ;
export const imageOkOff = (areaSize: number, l: TrailerLayout): number => alignDown(magicOff(areaSize) - l.bootMaxAlign, l.bootMaxAlign);
export const copyDoneOff = (areaSize: number, l: TrailerLayout): number => imageOkOff(areaSize, l) - l.bootMaxAlign;
export const swapInfoOff = (areaSize: number, l: TrailerLayout): number => copyDoneOff(areaSize, l) - l.bootMaxAlign;
/** Swap-offset only: (secondary unprot tot << 16) | primary unprot tot. */
export const unprotTlvSizesOff = (areaSize: number, l: TrailerLayout): number => swapInfoOff(areaSize, l) - l.bootMaxAlign;
export const swapSizeOff = (areaSize: number, l: TrailerLayout): number =>
  swapInfoOff(areaSize, l) - (l.mode === 'swap-offset' ? 2 : 1) * l.bootMaxAlign;

/** BOOT_STATUS_STATE_COUNT for a mode (overwrite-only keeps the formula's 3). */
export const statusStateCount = (mode: UpgradeMode): number => (mode === 'swap-offset' ? 2 : 3);

/** Size of the info fields below the status area (4A + MA, + A for swap-offset). */
export const trailerInfoSize = (l: TrailerLayout): number =>
  (l.mode === 'swap-offset' ? 5 : 4) * l.bootMaxAlign + magicAlignSize(l);

/** boot_status_sz: status area size for a write size. */
export const statusSize = (l: TrailerLayout, writeSz: number): number => l.maxImgSectors * statusStateCount(l.mode) * writeSz;

/** boot_trailer_sz(write_sz). */
export const trailerSize = (l: TrailerLayout, writeSz: number): number => statusSize(l, writeSz) + trailerInfoSize(l);

/** boot_scratch_trailer_sz(write_sz): one step's status + the info fields. */
export const scratchTrailerSize = (l: TrailerLayout, writeSz: number): number => 3 * writeSz + trailerInfoSize(l);

function isErased(bytes: Uint8Array, erased: number): boolean {
  for (const b of bytes) if (b !== erased) return false;
  return true;
}

function decodeFlag(b: number, erased: number): FlagState {
  if (b === erased) return 'unset';
  return b === 1 ? 'set' : 'bad';
}

/** boot_read_swap_state: decodes an area's trailer. */
export function readSwapState(area: FlashArea, l: TrailerLayout): SwapState {
  const erased = area.erasedValue;
  const m = area.read(magicOff(area.size), BOOT_MAGIC_SZ);
  const ref = bootMagic(l.bootMaxAlign);
  let magic: MagicState;
  if (isErased(m, erased)) magic = 'unset';
  else magic = m.every((b, i) => b === ref[i]) ? 'good' : 'bad';
  const info = area.read(swapInfoOff(area.size, l), 1)[0] as number;
  let swapType: number = SwapType.NONE;
  let imageNum = 0;
  if (info !== erased && (info & 0x0f) <= SwapType.REVERT) {
    swapType = info & 0x0f;
    imageNum = info >> 4;
  }
  const copyDone = decodeFlag(area.read(copyDoneOff(area.size, l), 1)[0] as number, erased);
  const imageOk = decodeFlag(area.read(imageOkOff(area.size, l), 1)[0] as number, erased);
  return { magic, swapType, copyDone, imageOk, imageNum };
}

/** boot_write_trailer: `bytes` padded with the erased value to ALIGN_UP(len, align). */
export function writeTrailerField(area: FlashArea, off: number, bytes: Uint8Array): void {
  const len = alignUp(bytes.length, area.writeAlign);
  const buf = new Uint8Array(len).fill(area.erasedValue);
  buf.set(bytes);
  area.write(off, buf);
}

/** boot_write_magic: one MA-byte write, erased fill then the 16 magic bytes. */
export function writeMagic(area: FlashArea, l: TrailerLayout): void {
  const ma = magicAlignSize(l);
  const buf = new Uint8Array(ma).fill(area.erasedValue);
  buf.set(bootMagic(l.bootMaxAlign), ma - BOOT_MAGIC_SZ);
  area.write(area.size - ma, buf);
}

/** boot_write_image_ok. */
export const writeImageOk = (area: FlashArea, l: TrailerLayout): void => writeTrailerField(area, imageOkOff(area.size, l), Uint8Array.of(1));
/** boot_write_copy_done. */
export const writeCopyDone = (area: FlashArea, l: TrailerLayout): void => writeTrailerField(area, copyDoneOff(area.size, l), Uint8Array.of(1));
/** boot_write_swap_info: (image_index << 4) | swap_type. */
export const writeSwapInfo = (area: FlashArea, l: TrailerLayout, swapType: number, imageIndex: number): void =>
  writeTrailerField(area, swapInfoOff(area.size, l), Uint8Array.of(((imageIndex & 0x0f) << 4) | (swapType & 0x0f)));

function u32le(v: number): Uint8Array {
  return Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
}
export function readU32le(b: Uint8Array, at = 0): number {
  return ((b[at] as number) | ((b[at + 1] as number) << 8) | ((b[at + 2] as number) << 16) | ((b[at + 3] as number) << 24)) >>> 0;
}

/** boot_write_swap_size. */
export const writeSwapSize = (area: FlashArea, l: TrailerLayout, size: number): void => writeTrailerField(area, swapSizeOff(area.size, l), u32le(size));
/** boot_read_swap_size. */
export const readSwapSize = (area: FlashArea, l: TrailerLayout): number => readU32le(area.read(swapSizeOff(area.size, l), 4));
/** boot_write_unprotected_tlv_sizes (swap-offset). */
export const writeUnprotTlvSizes = (area: FlashArea, l: TrailerLayout, primary: number, secondary: number): void =>
  writeTrailerField(area, unprotTlvSizesOff(area.size, l), u32le(((secondary & 0xffff) << 16 | (primary & 0xffff)) >>> 0));
/** boot_read_unprotected_tlv_sizes (swap-offset): [primary, secondary]. */
export function readUnprotTlvSizes(area: FlashArea, l: TrailerLayout): readonly [number, number] {
  const v = readU32le(area.read(unprotTlvSizesOff(area.size, l), 4));
  return [v & 0xffff, v >>> 16];
}

/** boot_status_off for a slot area (scratch areas use the scratch trailer size). */
export function statusOff(area: FlashArea, l: TrailerLayout, isScratch: boolean): number {
  return area.size - (isScratch ? scratchTrailerSize(l, area.writeAlign) : trailerSize(l, area.writeAlign));
}
