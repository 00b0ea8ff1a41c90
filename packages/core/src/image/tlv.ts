/**
 * @module image/tlv
 * TLV areas (boot/bootutil/src/tlv.c, imgtool `TLV` class): an info header
 * `{u16 it_magic, u16 it_tlv_tot}` (tot includes the 4 info bytes) followed by entries
 * `{u16 it_type, u16 it_len, it_len bytes}` with no padding between them.
 * imgtool writes predefined types as `[type, 0x00]` and custom ones as a full u16; in
 * little-endian both are the same bytes.
 */
import { ByteWriter } from '../bytes/writer.js';
import { IMGTOOL_TLV_NAMES, TLV_HEADER_SIZE, TLV_INFO_SIZE } from './constants.js';

/** A TLV to be written. */
export interface TlvInput {
  readonly type: number;
  readonly value: Uint8Array;
  /** A `--custom-tlv`: imgtool writes its type as a full u16 (matters only with --endian big). */
  readonly custom?: boolean;
}

/** A TLV read from an image. `offset` is where its 4-byte entry header starts. */
export interface TlvEntry {
  readonly type: number;
  /** it_len as stored (attacker-controlled). */
  readonly len: number;
  readonly offset: number;
  /** The value bytes (a view). Shorter than `len` only when a lenient parse met a truncated file. */
  readonly value: Uint8Array;
}

/** An area's info header as read. */
export interface TlvAreaInfo {
  readonly offset: number;
  readonly magic: number;
  readonly tlvTot: number;
}

/** imgtool's display name of a TLV type (VENDOR for custom tags). */
export function tlvName(type: number): string {
  return IMGTOOL_TLV_NAMES[type] ?? (type >= 0xa0 ? 'VENDOR' : `UNKNOWN_0x${type.toString(16)}`);
}

/** Size in bytes of an area holding `entries` (0 when empty, as imgtool omits empty areas). */
export function tlvAreaSize(entries: readonly TlvInput[]): number {
  if (entries.length === 0) return 0;
  let n = TLV_INFO_SIZE;
  for (const e of entries) n += TLV_HEADER_SIZE + e.value.length;
  return n;
}

/**
 * Encodes a TLV area with the given info magic. `always` writes the info header even when
 * there are no entries (the unprotected area always exists).
 */
export function encodeTlvArea(magic: number, entries: readonly TlvInput[], endian: 'little' | 'big' = 'little', always = false): Uint8Array {
  if (entries.length === 0 && !always) return new Uint8Array(0);
  const total = Math.max(tlvAreaSize(entries), TLV_INFO_SIZE);
  if (total > 0xffff) throw new RangeError(`TLV area of ${total} bytes exceeds the u16 it_tlv_tot`);
  const w = new ByteWriter(total);
  const u16 = (v: number): void => {
    if (endian === 'big') w.u8(v >> 8).u8(v & 0xff);
    else w.u16le(v);
  };
  u16(magic);
  u16(total);
  for (const e of entries) {
    if (!Number.isInteger(e.type) || e.type < 0 || e.type > 0xffff) throw new RangeError(`TLV type: expected u16, got ${e.type}`);
    if (e.value.length > 0xffff) throw new RangeError(`TLV 0x${e.type.toString(16)}: value of ${e.value.length} bytes exceeds u16 it_len`);
    // imgtool packs predefined types as (u8 type, u8 0); with --endian big that stays type-first.
    if (endian === 'big' && !e.custom) w.u8(e.type).u8(0);
    else u16(e.type);
    u16(e.value.length);
    w.bytes(e.value);
  }
  return w.finish().slice();
}
