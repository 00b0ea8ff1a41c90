/**
 * @module image/header
 * `struct image_header` (boot/bootutil/include/bootutil/image.h), 32 bytes, little-endian:
 *
 * | off | size | field               |
 * |-----|------|---------------------|
 * | 0   | 4    | ih_magic            |
 * | 4   | 4    | ih_load_addr        |
 * | 8   | 2    | ih_hdr_size         |
 * | 10  | 2    | ih_protect_tlv_size |
 * | 12  | 4    | ih_img_size         |
 * | 16  | 4    | ih_flags            |
 * | 20  | 8    | ih_ver (u8 major, u8 minor, u16 revision, u32 build) |
 * | 28  | 4    | _pad1               |
 *
 * Decoding and encoding both follow this one table. Mirrors imgtool `Image.add_header`.
 */
import { ByteReader } from '../bytes/reader.js';
import { ByteWriter } from '../bytes/writer.js';
import { IMAGE_HEADER_SIZE, ImageFlag, ImageMagic, type ImageFlagName } from './constants.js';
import type { ImageVersion } from './version.js';

export interface ImageHeader {
  readonly magic: number;
  readonly loadAddr: number;
  readonly hdrSize: number;
  readonly protectTlvSize: number;
  readonly imgSize: number;
  readonly flags: number;
  readonly version: ImageVersion;
  readonly pad1: number;
}

export type HeaderResult =
  | { readonly ok: true; readonly header: ImageHeader }
  | { readonly ok: false; readonly reason: 'TRUNCATED' | 'INVALID_MAGIC'; readonly detail: string };

/** Decodes the fields of the first 32 bytes without judging them. `bytes` must hold 32 bytes. */
export function decodeImageHeader(bytes: Uint8Array, endian: 'little' | 'big' = 'little'): ImageHeader {
  const r = new ByteReader(bytes);
  if (endian === 'big') {
    const v = new DataView(bytes.buffer, bytes.byteOffset, IMAGE_HEADER_SIZE);
    return {
      magic: v.getUint32(0), loadAddr: v.getUint32(4), hdrSize: v.getUint16(8), protectTlvSize: v.getUint16(10),
      imgSize: v.getUint32(12), flags: v.getUint32(16),
      version: { major: v.getUint8(20), minor: v.getUint8(21), revision: v.getUint16(22), build: v.getUint32(24) },
      pad1: v.getUint32(28),
    };
  }
  return {
    magic: r.u32le(0),
    loadAddr: r.u32le(4),
    hdrSize: r.u16le(8),
    protectTlvSize: r.u16le(10),
    imgSize: r.u32le(12),
    flags: r.u32le(16),
    version: { major: r.u8(20), minor: r.u8(21), revision: r.u16le(22), build: r.u32le(24) },
    pad1: r.u32le(28),
  };
}

/**
 * Reads just the 32-byte header, as the bootloader does before anything else: the magic must
 * be IMAGE_MAGIC. Other fields are attacker-controlled and are not trusted here.
 */
export function parseImageHeader(bytes: Uint8Array): HeaderResult {
  if (bytes.length < IMAGE_HEADER_SIZE) {
    return { ok: false, reason: 'TRUNCATED', detail: `header needs ${IMAGE_HEADER_SIZE} bytes, got ${bytes.length}` };
  }
  const header = decodeImageHeader(bytes);
  if (header.magic !== ImageMagic.CURRENT) {
    return { ok: false, reason: 'INVALID_MAGIC', detail: `header magic is 0x${header.magic.toString(16).padStart(8, '0')}, expected 0x96f3b83d` };
  }
  return { ok: true, header };
}

/** Encodes a header as 32 bytes (imgtool `add_header`, `--endian` honoured). */
export function encodeImageHeader(h: Omit<ImageHeader, 'magic' | 'pad1'> & { magic?: number; pad1?: number }, endian: 'little' | 'big' = 'little'): Uint8Array {
  if (endian === 'big') {
    const out = new Uint8Array(IMAGE_HEADER_SIZE);
    const v = new DataView(out.buffer);
    v.setUint32(0, h.magic ?? ImageMagic.CURRENT); v.setUint32(4, h.loadAddr); v.setUint16(8, h.hdrSize); v.setUint16(10, h.protectTlvSize);
    v.setUint32(12, h.imgSize); v.setUint32(16, h.flags); v.setUint8(20, h.version.major); v.setUint8(21, h.version.minor);
    v.setUint16(22, h.version.revision); v.setUint32(24, h.version.build); v.setUint32(28, h.pad1 ?? 0);
    return out;
  }
  return new ByteWriter(IMAGE_HEADER_SIZE)
    .u32le(h.magic ?? ImageMagic.CURRENT)
    .u32le(h.loadAddr)
    .u16le(h.hdrSize)
    .u16le(h.protectTlvSize)
    .u32le(h.imgSize)
    .u32le(h.flags)
    .u8(h.version.major)
    .u8(h.version.minor)
    .u16le(h.version.revision)
    .u32le(h.version.build)
    .u32le(h.pad1 ?? 0)
    .finish()
    .slice();
}

/** imgtool spells one flag differently from image.h. */
const IMGTOOL_FLAG_NAME: Partial<Record<ImageFlagName, string>> = { COMPRESSED_ARM_THUMB_FLT: 'COMPRESSED_ARM_THUMB' };

/** imgtool's names of the set flag bits (unknown bits as hex), in bit order. */
export function flagNames(flags: number): string[] {
  const names: string[] = [];
  let known = 0;
  for (const [name, bit] of Object.entries(ImageFlag) as Array<[ImageFlagName, number]>) {
    known |= bit;
    if ((flags & bit) !== 0) names.push(IMGTOOL_FLAG_NAME[name] ?? name);
  }
  const unknown = (flags & ~known) >>> 0;
  if (unknown !== 0) names.push(`0x${unknown.toString(16)}`);
  return names;
}
