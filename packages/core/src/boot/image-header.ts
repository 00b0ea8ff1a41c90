/**
 * @module boot/image-header
 * The bootloader's view of an image in a slot: the raw 32-byte header (struct image_header,
 * image.h), boot_check_header_erased / boot_check_header_valid (bootutil_loader.c),
 * boot_read_image_size (loader.c) and a protected-TLV lookup (tlv.c). Every length read here
 * comes from flash and is treated as attacker-controlled: each is bounds-checked before use.
 */
import type { FlashArea } from '../flash/flash-area.js';
import {
  IMAGE_F_COMPRESSED, IMAGE_F_ENCRYPTED_AES128, IMAGE_F_ENCRYPTED_AES256, IMAGE_HEADER_SIZE, IMAGE_MAGIC,
  IMAGE_TLV_INFO_MAGIC, IMAGE_TLV_PROT_INFO_MAGIC,
} from './constants.js';
import { readU32le } from './trailer.js';

export interface ImageVersion {
  readonly major: number;
  readonly minor: number;
  readonly revision: number;
  readonly buildNum: number;
}

/** struct image_header, decoded as read (even when the magic is wrong). */
export interface ImageHeader {
  readonly magic: number;
  readonly loadAddr: number;
  readonly hdrSize: number;
  readonly protectTlvSize: number;
  readonly imgSize: number;
  readonly flags: number;
  readonly version: ImageVersion;
  /** The 4 raw magic bytes, for boot_check_header_erased. */
  readonly magicBytes: Uint8Array;
}

const u16 = (b: Uint8Array, at: number): number => (b[at] as number) | ((b[at + 1] as number) << 8);

export function decodeImageHeader(b: Uint8Array): ImageHeader {
  return {
    magic: readU32le(b, 0),
    loadAddr: readU32le(b, 4),
    hdrSize: u16(b, 8),
    protectTlvSize: u16(b, 10),
    imgSize: readU32le(b, 12),
    flags: readU32le(b, 16),
    version: { major: b[20] as number, minor: b[21] as number, revision: u16(b, 22), buildNum: readU32le(b, 24) },
    magicBytes: b.slice(0, 4),
  };
}

/** Reads the header at `off` of an area (flash_area_read of sizeof(struct image_header)). */
export function readImageHeader(area: FlashArea, off: number): ImageHeader {
  return decodeImageHeader(area.read(off, IMAGE_HEADER_SIZE));
}

export const versionString = (v: ImageVersion): string => `${v.major}.${v.minor}.${v.revision}+${v.buildNum}`;

/** boot_compare_version: -1/0/1 on major.minor.revision (build ignored). */
export function compareVersion(a: ImageVersion, b: ImageVersion): number {
  for (const k of ['major', 'minor', 'revision'] as const) {
    if (a[k] > b[k]) return 1;
    if (a[k] < b[k]) return -1;
  }
  return 0;
}

/** boot_check_header_erased: true when the header magic bytes are all erased. */
export function isHeaderErased(h: ImageHeader, erasedValue: number): boolean {
  return h.magicBytes.every((x) => x === erasedValue);
}

/** boot_check_header_valid (no encryption or decompression compiled in). */
export function isHeaderValid(h: ImageHeader, areaSize: number): boolean {
  if (h.magic !== IMAGE_MAGIC) return false;
  const size = h.hdrSize + h.imgSize + h.protectTlvSize;
  if (size > 0xffffffff) return false;
  if (size >= areaSize) return false;
  if ((h.flags & (IMAGE_F_ENCRYPTED_AES128 | IMAGE_F_ENCRYPTED_AES256)) !== 0) return false;
  if ((h.flags & IMAGE_F_COMPRESSED) !== 0) return false;
  return true;
}

export interface TlvInfo {
  /** Offset (relative to the image start) just past the unprotected TLV area. */
  readonly tlvEnd: number;
  /** it_tlv_tot of the unprotected area. */
  readonly unprotTot: number;
}

/**
 * boot_read_image_size: reads the TLV info headers after the payload. Returns undefined where
 * the C code returns an error (bad info magic, protected size mismatch, read out of range).
 */
export function readTlvInfo(area: FlashArea, imageOff: number, h: ImageHeader): TlvInfo | undefined {
  const t = h.hdrSize + h.imgSize;
  const at = imageOff + t;
  if (at + 4 > area.size) return undefined;
  let info = area.read(at, 4);
  let magic = u16(info, 0);
  let tot = u16(info, 2);
  if (magic === IMAGE_TLV_PROT_INFO_MAGIC) {
    if (h.protectTlvSize !== tot) return undefined;
    if (at + tot + 4 > area.size) return undefined;
    info = area.read(at + tot, 4);
    magic = u16(info, 0);
    tot = u16(info, 2);
  } else if (h.protectTlvSize !== 0) {
    return undefined;
  }
  if (magic !== IMAGE_TLV_INFO_MAGIC) return undefined;
  return { tlvEnd: t + h.protectTlvSize + tot, unprotTot: tot };
}

/** Finds the first protected TLV of `type` (bootutil_tlv_iter with prot_only); undefined if absent or malformed. */
export function findProtectedTlv(area: FlashArea, imageOff: number, h: ImageHeader, type: number): Uint8Array | undefined {
  if (h.protectTlvSize === 0) return undefined;
  const start = imageOff + h.hdrSize + h.imgSize;
  const end = start + h.protectTlvSize;
  if (end > area.size) return undefined;
  const region = area.read(start, h.protectTlvSize);
  if (u16(region, 0) !== IMAGE_TLV_PROT_INFO_MAGIC) return undefined;
  let p = 4;
  while (p + 4 <= region.length) {
    const ty = u16(region, p);
    const len = u16(region, p + 2);
    if (p + 4 + len > region.length) return undefined;
    if (ty === type) return region.slice(p + 4, p + 4 + len);
    p += 4 + len;
  }
  return undefined;
}
