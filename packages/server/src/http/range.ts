/**
 * @module http/range
 * HTTP Range parsing for artifact downloads, as hawkBit's FileStreamingUtil answers (A.7):
 * `bytes=a-b`, `a-` and `-n` parts, several parts → multipart/byteranges (sorted and
 * non-overlapping, else unsatisfiable); `b` is clamped to the last byte. Anything malformed or
 * outside the file is unsatisfiable (416, with an asterisk in place of the range in Content-Range).
 */

export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

export type RangeRequest = { kind: 'full' } | { kind: 'ranges'; ranges: ByteRange[] } | { kind: 'unsatisfiable' };

const MAX_PARTS = 64;

export function parseRange(header: string | undefined, size: number): RangeRequest {
  if (header === undefined) return { kind: 'full' };
  const m = /^\s*bytes\s*=\s*(.+)$/i.exec(header);
  if (m === null || m[1] === undefined) return { kind: 'unsatisfiable' };
  const parts = m[1].split(',').map((p) => p.trim());
  if (parts.length === 0 || parts.length > MAX_PARTS) return { kind: 'unsatisfiable' };
  const ranges: ByteRange[] = [];
  for (const part of parts) {
    const pm = /^(\d*)-(\d*)$/.exec(part);
    if (pm === null) return { kind: 'unsatisfiable' };
    const [, a = '', b = ''] = pm;
    let start: number;
    let end: number;
    if (a === '' && b === '') return { kind: 'unsatisfiable' };
    if (a === '') {
      const n = Number(b);
      if (n === 0) return { kind: 'unsatisfiable' };
      start = Math.max(0, size - n);
      end = size - 1;
    } else {
      start = Number(a);
      end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
    }
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start >= size || start > end) return { kind: 'unsatisfiable' };
    ranges.push({ start, end });
  }
  for (let i = 1; i < ranges.length; i++) {
    const prev = ranges[i - 1];
    const cur = ranges[i];
    if (prev === undefined || cur === undefined || cur.start <= prev.end) return { kind: 'unsatisfiable' };
  }
  return { kind: 'ranges', ranges };
}

/** The framing of a multipart/byteranges body: per part its header bytes, then the trailer. */
export function multipartFraming(ranges: readonly ByteRange[], size: number, contentType: string, boundary: string): { heads: string[]; tail: string; length: number } {
  const heads = ranges.map((r, i) => `${i === 0 ? '' : '\r\n'}--${boundary}\r\nContent-Type: ${contentType}\r\nContent-Range: bytes ${r.start}-${r.end}/${size}\r\n\r\n`);
  const tail = `\r\n--${boundary}--\r\n`;
  const length = heads.reduce((n, h) => n + Buffer.byteLength(h), 0) + ranges.reduce((n, r) => n + (r.end - r.start + 1), 0) + Buffer.byteLength(tail);
  return { heads, tail, length };
}
