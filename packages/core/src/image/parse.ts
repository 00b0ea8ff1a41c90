/**
 * @module image/parse
 * Strict structural parse of an MCUboot image: header, protected and unprotected TLV areas,
 * hashed region. Mirrors bootutil `bootutil_tlv_iter_begin/next` (boot/bootutil/src/tlv.c) and
 * `boot_check_header_valid`; never computes a hash or checks a signature (image/verify.ts does).
 *
 * Every length and offset comes from the image and is attacker-controlled: each is checked
 * against the file (TRUNCATED) or its enclosing area (TLV_OUT_OF_BOUNDS) before any read that
 * depends on it. The result is a discriminated union; parse never throws on any input.
 *
 * With `{ lenient: true }` the deviations imgtool tolerates (a header `ih_protect_tlv_size` that
 * disagrees with the protected area, entries running past their area, a value cut off by the end
 * of the file) are reported in `issues` instead of failing, so verify can judge them per policy.
 */
import { ByteReader } from '../bytes/reader.js';
import { IMAGE_HEADER_SIZE, TLV_HEADER_SIZE, TLV_INFO_SIZE, TlvInfoMagic } from './constants.js';
import { parseImageHeader, type ImageHeader } from './header.js';
import type { TlvAreaInfo, TlvEntry } from './tlv.js';

/** Reasons a parse fails outright (both in strict and lenient mode). */
export type ParseFailureReason = 'TRUNCATED' | 'MALFORMED' | 'INVALID_MAGIC' | 'INVALID_TLV_INFO_MAGIC';

/** Deviations MCUboot rejects but imgtool tolerates; fatal in strict mode. */
export type ParseIssueReason = 'PROTECTED_TLV_SIZE_MISMATCH' | 'TLV_OUT_OF_BOUNDS' | 'TRUNCATED' | 'MALFORMED';

export interface ParseIssue {
  readonly reason: ParseIssueReason;
  readonly detail: string;
}

export interface ParsedImage {
  readonly header: ImageHeader;
  /** Bytes of the header area (`ih_hdr_size`), i.e. offset of the payload. */
  readonly body: { readonly offset: number; readonly length: number };
  readonly protectedInfo: TlvAreaInfo | null;
  readonly protectedTlvs: readonly TlvEntry[];
  readonly unprotectedInfo: TlvAreaInfo;
  readonly unprotectedTlvs: readonly TlvEntry[];
  /** `[0, length)`: header + body + protected area, what the image hash covers. */
  readonly hashedRegion: { readonly offset: 0; readonly length: number };
  /** End of the unprotected area (relative to the image start). */
  readonly tlvEnd: number;
  /** Empty in strict mode. */
  readonly issues: readonly ParseIssue[];
}

export type ParseResult =
  | { readonly ok: true; readonly image: ParsedImage }
  | { readonly ok: false; readonly reason: ParseFailureReason | ParseIssueReason; readonly detail: string };

export interface ParseOptions {
  /** Report imgtool-tolerated deviations in `issues` instead of failing. Default false. */
  readonly lenient?: boolean;
}

const hex = (n: number): string => `0x${n.toString(16)}`;

interface AreaWalk {
  entries: TlvEntry[];
  issues: ParseIssue[];
  fatal: { reason: ParseFailureReason; detail: string } | null;
}

/**
 * Walks entries in [start, end). An entry header must fit in the file (else fatal TRUNCATED,
 * imgtool crashes there too); an entry that runs past `end` or the file is an issue.
 */
function walkArea(r: ByteReader, start: number, end: number, label: string): AreaWalk {
  const out: AreaWalk = { entries: [], issues: [], fatal: null };
  let off = start;
  while (off < end) {
    if (!r.has(off, TLV_HEADER_SIZE)) {
      out.fatal = { reason: 'TRUNCATED', detail: `${label} TLV header at ${hex(off)} is cut off by the end of the file (${hex(r.length)})` };
      return out;
    }
    const type = r.u16le(off);
    const len = r.u16le(off + 2);
    const valueOff = off + TLV_HEADER_SIZE;
    if (off + TLV_HEADER_SIZE > end || valueOff + len > end) {
      out.issues.push({ reason: 'TLV_OUT_OF_BOUNDS', detail: `${label} TLV 0x${type.toString(16)} at ${hex(off)} (len ${len}) runs past the area end ${hex(end)}` });
    }
    const available = Math.max(0, Math.min(len, r.length - valueOff));
    if (available < len) {
      out.issues.push({ reason: 'TRUNCATED', detail: `${label} TLV 0x${type.toString(16)} at ${hex(off)} needs ${len} bytes, the file holds ${available}` });
    }
    out.entries.push({ type, len, offset: off, value: r.bytes.subarray(valueOff, valueOff + available) });
    off = valueOff + len;
  }
  return out;
}

/** Parses `bytes` as an MCUboot image (little-endian). Never throws. */
export function parseImage(bytes: Uint8Array, options: ParseOptions = {}): ParseResult {
  const hr = parseImageHeader(bytes);
  if (!hr.ok) return hr;
  const header = hr.header;
  const r = new ByteReader(bytes);
  const issues: ParseIssue[] = [];

  if (header.hdrSize < IMAGE_HEADER_SIZE) {
    issues.push({ reason: 'MALFORMED', detail: `ih_hdr_size ${header.hdrSize} is smaller than the ${IMAGE_HEADER_SIZE}-byte header` });
  }
  // ih_hdr_size + ih_img_size comes from the image: check it against the file before reading at it.
  const tlvStart = header.hdrSize + header.imgSize;
  if (!r.has(tlvStart, TLV_INFO_SIZE)) {
    return { ok: false, reason: 'TRUNCATED', detail: `TLV info at ${hex(tlvStart)} (ih_hdr_size + ih_img_size) lies beyond the end of the file (${hex(bytes.length)})` };
  }

  let protectedInfo: TlvAreaInfo | null = null;
  let protectedTlvs: TlvEntry[] = [];
  let unprotOff = tlvStart;
  let magic = r.u16le(tlvStart);
  if (magic === TlvInfoMagic.PROTECTED) {
    const tot = r.u16le(tlvStart + 2);
    protectedInfo = { offset: tlvStart, magic, tlvTot: tot };
    if (tot < TLV_INFO_SIZE) return { ok: false, reason: 'MALFORMED', detail: `protected TLV info tlv_tot ${tot} is smaller than its own 4-byte header` };
    unprotOff = tlvStart + tot;
    if (header.protectTlvSize !== tot) {
      issues.push({ reason: 'PROTECTED_TLV_SIZE_MISMATCH', detail: `ih_protect_tlv_size ${header.protectTlvSize} differs from the protected TLV area's tlv_tot ${tot}` });
    }
    const walk = walkArea(r, tlvStart + TLV_INFO_SIZE, tlvStart + tot, 'protected');
    if (walk.fatal) return { ok: false, ...walk.fatal };
    protectedTlvs = walk.entries;
    issues.push(...walk.issues);
  } else if (header.protectTlvSize !== 0) {
    issues.push({ reason: 'PROTECTED_TLV_SIZE_MISMATCH', detail: `ih_protect_tlv_size is ${header.protectTlvSize} but no protected TLV area (magic 0x6908) follows the body` });
  }

  if (!r.has(unprotOff, TLV_INFO_SIZE)) {
    return { ok: false, reason: 'TRUNCATED', detail: `unprotected TLV info at ${hex(unprotOff)} lies beyond the end of the file (${hex(bytes.length)})` };
  }
  magic = r.u16le(unprotOff);
  if (magic !== TlvInfoMagic.UNPROTECTED) {
    return { ok: false, reason: 'INVALID_TLV_INFO_MAGIC', detail: `TLV info magic at ${hex(unprotOff)} is 0x${magic.toString(16)}, expected 0x6907` };
  }
  const unprotTot = r.u16le(unprotOff + 2);
  if (unprotTot < TLV_INFO_SIZE) return { ok: false, reason: 'MALFORMED', detail: `unprotected TLV info tlv_tot ${unprotTot} is smaller than its own 4-byte header` };
  const unprotectedInfo: TlvAreaInfo = { offset: unprotOff, magic, tlvTot: unprotTot };
  const tlvEnd = unprotOff + unprotTot;
  if (tlvEnd > bytes.length) {
    issues.push({ reason: 'TRUNCATED', detail: `the unprotected TLV area ends at ${hex(tlvEnd)}, past the end of the file (${hex(bytes.length)})` });
  }
  const walk = walkArea(r, unprotOff + TLV_INFO_SIZE, tlvEnd, 'unprotected');
  if (walk.fatal) return { ok: false, ...walk.fatal };
  issues.push(...walk.issues);

  if (issues.length > 0 && !options.lenient) {
    const first = issues[0] as ParseIssue;
    return { ok: false, reason: first.reason, detail: first.detail };
  }
  return {
    ok: true,
    image: {
      header,
      body: { offset: header.hdrSize, length: header.imgSize },
      protectedInfo,
      protectedTlvs,
      unprotectedInfo,
      unprotectedTlvs: walk.entries,
      hashedRegion: { offset: 0, length: unprotOff },
      tlvEnd,
      issues,
    },
  };
}
