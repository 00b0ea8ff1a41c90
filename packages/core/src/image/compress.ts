/**
 * @module image/compress
 * Compressed images as imgtool builds them (`--compression lzma2|lzma2armthumb`, spec §1.15,
 * imgtool `main.py: sign`): sign the uncompressed image first, compress the input payload,
 * and, if that saves space, sign again with the payload replaced by a 2-byte LZMA2 properties
 * header + the raw LZMA2 stream, the COMPRESSED_LZMA2 (+ARM_THUMB) flags and the protected
 * TLVs DECOMP_SIZE, DECOMP_SHA, DECOMP_SIGNATURE (if signed) and COMP_DEC_SIZE (if
 * encrypting). The LZMA2 encoder itself comes from outside (liblzma, `node/xz-compress.ts`):
 * only liblzma's exact output reproduces imgtool's bytes.
 */
import type { CryptoPort } from '../crypto/port.js';
import { ImageFlag, TlvType } from './constants.js';
import { signImage, type SignExtension, type SignOptions, type SignResult } from './sign.js';

/** `--compression` values that compress. */
export type CompressionKind = 'lzma2' | 'lzma2armthumb';

/** Raw LZMA2 compression with imgtool's filters: preset 9, dict 128 KiB, lc 3, lp 1, pb 2,
 * the ARM-Thumb BCJ filter first when `armThumb`. */
export type Lzma2Compressor = (data: Uint8Array, armThumb: boolean) => Uint8Array;

/** imgtool's fixed LZMA2 parameters. */
export const IMGTOOL_LZMA2 = { dictSize: 131072, lc: 3, lp: 1, pb: 2, preset: 9 } as const;

/** imgtool `create_lzma2_header`: the smallest LZMA2 dictionary byte that covers `dictSize`,
 * then `(pb*5 + lp)*9 + lc`. */
export function lzma2Header(dictSize: number = IMGTOOL_LZMA2.dictSize, lc: number = IMGTOOL_LZMA2.lc, lp: number = IMGTOOL_LZMA2.lp, pb: number = IMGTOOL_LZMA2.pb): Uint8Array {
  let dictByte = 40;
  for (let i = 0; i < 40; i++) {
    if (dictSize <= (2 | (i & 1)) * 2 ** (Math.floor(i / 2) + 11)) {
      dictByte = i;
      break;
    }
  }
  return Uint8Array.of(dictByte, (pb * 5 + lp) * 9 + lc);
}

function u32(value: number, endian: 'little' | 'big'): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, value >>> 0, endian === 'little');
  return b;
}

/** How a compressed sign went: `applied` false when compression would not have saved space
 * (imgtool then keeps the uncompressed image). */
export interface CompressedSignResult {
  readonly result: SignResult;
  readonly applied: boolean;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
}

/**
 * Signs with compression exactly as imgtool does. `extension` (encryption) applies to both
 * passes; `makeExtension` is called once per pass so each pass can draw a fresh AES key.
 */
export function signCompressed(options: SignOptions, crypto: CryptoPort, kind: CompressionKind, compress: Lzma2Compressor, makeExtension: () => SignExtension = () => ({})): CompressedSignResult {
  const first = signImage({ ...options, extension: makeExtension() }, crypto);
  if (first.kind !== 'image') return { result: first, applied: false, compressedSize: 0, uncompressedSize: options.payload.length };
  const endian = options.endian ?? 'little';
  const stream = compress(options.payload, kind === 'lzma2armthumb');
  const tlvs = [
    { type: TlvType.DECOMP_SIZE, value: u32(options.payload.length, endian) },
    { type: TlvType.DECOMP_SHA, value: first.digest },
    ...(first.signature === null ? [] : [{ type: TlvType.DECOMP_SIGNATURE, value: first.signature }]),
  ];
  const tlvBytes = tlvs.reduce((n, t) => n + t.value.length, 0);
  if (stream.length + tlvBytes >= options.payload.length) {
    return { result: first, applied: false, compressedSize: stream.length, uncompressedSize: options.payload.length };
  }
  const payload = new Uint8Array(2 + stream.length);
  payload.set(lzma2Header(), 0);
  payload.set(stream, 2);
  const extension = makeExtension();
  const encrypting = ((extension.flags ?? 0) & (ImageFlag.ENCRYPTED_AES128 | ImageFlag.ENCRYPTED_AES256)) !== 0;
  const flags = (extension.flags ?? 0) | ImageFlag.COMPRESSED_LZMA2 | (kind === 'lzma2armthumb' ? ImageFlag.COMPRESSED_ARM_THUMB_FLT : 0);
  const protectedTlvs = [...tlvs, ...(encrypting ? [{ type: TlvType.COMP_DEC_SIZE, value: u32(payload.length, endian) }] : []), ...(extension.protectedTlvs ?? [])];
  const second = signImage({ ...options, payload, extension: { ...extension, flags, protectedTlvs } }, crypto);
  return { result: second, applied: true, compressedSize: stream.length, uncompressedSize: options.payload.length };
}
