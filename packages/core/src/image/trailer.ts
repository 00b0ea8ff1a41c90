/**
 * @module image/trailer
 * The trailer imgtool writes with `--pad` / `--confirm` / `--test` (scripts/imgtool/image.py
 * `_trailer_size`, `pad_to`, and the Intel HEX branch of `save`). Only what imgtool writes:
 * the magic in the last 16 bytes and, on confirm, image_ok = 0x01 at `slot - MA - A`. The
 * bootloader-side trailer (swap status, flags decoding) belongs to boot/trailer.ts.
 */
import { alignUp } from '../bytes/align.js';
import { BOOT_MAGIC_ALIGNED_TAIL, BOOT_MAGIC_SIZE, BOOT_MAGIC_STANDARD } from './constants.js';

export interface TrailerLayout {
  /** `--align`: flash write size, 1, 2, 4, 8, 16 or 32 (default 1). */
  readonly align: number;
  /** `--max-align` (BOOT_MAX_ALIGN): 8, 16 or 32 (default max(8, align)). */
  readonly maxAlign: number;
  /** `--max-sectors` (default 128). */
  readonly maxSectors: number;
  readonly overwriteOnly: boolean;
  /**
   * Encryption key field as the bootloader stores it, before alignment: 16 for the plain AES
   * key, or the encryption TLV length with `--save-enctlv`. Omit when not encrypting.
   */
  readonly encKeyField?: number;
}

export const ALLOWED_ALIGNS: readonly number[] = [1, 2, 4, 8, 16, 32];
export const ALLOWED_MAX_ALIGNS: readonly number[] = [8, 16, 32];

/** Magic area size MA: 16 rounded up to BOOT_MAX_ALIGN. */
export function magicAreaSize(maxAlign: number): number {
  return alignUp(BOOT_MAGIC_SIZE, maxAlign);
}

/** imgtool `_trailer_size`. */
export function imgtoolTrailerSize(t: TrailerLayout): number {
  const ma = magicAreaSize(t.maxAlign);
  if (t.overwriteOnly) return t.maxAlign * 2 + ma;
  let size = t.maxSectors * 3 * t.align;
  if (t.encKeyField !== undefined) size += 2 * alignUp(t.encKeyField, t.maxAlign);
  return size + t.maxAlign * 4 + ma;
}

/** The 16-byte trailer magic for a BOOT_MAX_ALIGN (standard for 8, aligned flavour otherwise). */
export function trailerMagic(maxAlign: number): Uint8Array {
  if (maxAlign === 8) return BOOT_MAGIC_STANDARD.slice();
  const m = new Uint8Array(BOOT_MAGIC_SIZE);
  m[0] = maxAlign & 0xff;
  m[1] = (maxAlign >> 8) & 0xff;
  m.set(BOOT_MAGIC_ALIGNED_TAIL, 2);
  return m;
}

/** Offset of image_ok from the slot start: `slot - MA - A`. */
export function imageOkOffset(slotSize: number, maxAlign: number): number {
  return slotSize - magicAreaSize(maxAlign) - maxAlign;
}

/**
 * imgtool `pad_to`: the image followed by erased bytes up to `slotSize`, the magic in the last
 * 16 bytes and, with `confirm` (not overwrite-only), 0x01 at image_ok.
 */
export function padToSlot(image: Uint8Array | readonly Uint8Array[], slotSize: number, t: TrailerLayout & { readonly confirm: boolean; readonly erasedValue: number }): Uint8Array {
  const parts = image instanceof Uint8Array ? [image] : image;
  const length = parts.reduce((n, p) => n + p.length, 0);
  if (length + BOOT_MAGIC_SIZE > slotSize) throw new RangeError(`padToSlot: an image of ${length} bytes does not fit a ${slotSize}-byte slot with its trailer`);
  const out = new Uint8Array(slotSize);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  out.fill(t.erasedValue, o);
  out.set(trailerMagic(t.maxAlign), slotSize - BOOT_MAGIC_SIZE);
  if (t.confirm && !t.overwriteOnly) out[imageOkOffset(slotSize, t.maxAlign)] = 0x01;
  return out;
}
