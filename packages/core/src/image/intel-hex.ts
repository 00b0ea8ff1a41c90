/**
 * @module image/intel-hex
 * Intel HEX in and out as imgtool does it through the Python `intelhex` package: reading
 * yields the bytes from the lowest to the highest used address with gaps filled with 0xFF
 * (`IntelHex.tobinarray`); writing emits 16-byte data records that never cross a 64 KiB
 * boundary or a gap, an extended linear address record (type 04) whenever the upper 16 address
 * bits change (only when some address is above 0xFFFF), then the EOF record
 * (`IntelHex.write_hex_file`). Upper-case hex, `\n` line ends.
 */

export interface HexSegment {
  readonly address: number;
  readonly bytes: Uint8Array;
}

export interface HexImage {
  /** Lowest used address (imgtool's `base_addr`). */
  readonly baseAddress: number;
  /** Bytes from the lowest to the highest used address, gaps filled with 0xFF. */
  readonly bytes: Uint8Array;
  /** Half-open [start, end) address ranges actually present in the file. */
  readonly segments: ReadonlyArray<readonly [number, number]>;
}

export type HexReadResult = { readonly ok: true; readonly image: HexImage } | { readonly ok: false; readonly reason: 'MALFORMED'; readonly detail: string };

function hexByte(line: string, i: number): number {
  return parseInt(line.slice(1 + 2 * i, 3 + 2 * i), 16);
}

/** Parses Intel HEX text. Never throws on bad input: returns MALFORMED with the line number. */
export function fromIntelHex(text: string): HexReadResult {
  const data = new Map<number, number>();
  let upper = 0;
  let segmentBase = 0;
  let sawEof = false;
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = (lines[n] as string).trim();
    if (line === '') continue;
    const bad = (why: string): HexReadResult => ({ ok: false, reason: 'MALFORMED', detail: `line ${n + 1}: ${why}` });
    if (sawEof) return bad('data after the end-of-file record');
    if (line[0] !== ':' || line.length < 11 || line.length % 2 === 0 || !/^:[0-9a-fA-F]+$/.test(line)) return bad('not an Intel HEX record');
    const count = hexByte(line, 0);
    if (line.length !== 11 + 2 * count) return bad(`record length ${count} does not match the line`);
    let sum = 0;
    for (let i = 0; i < count + 5; i++) sum += hexByte(line, i);
    if ((sum & 0xff) !== 0) return bad('checksum mismatch');
    const offset = (hexByte(line, 1) << 8) | hexByte(line, 2);
    const type = hexByte(line, 3);
    switch (type) {
      case 0x00:
        for (let i = 0; i < count; i++) {
          const addr = upper + segmentBase + ((offset + i) & 0xffff);
          if (data.has(addr)) return bad(`address 0x${addr.toString(16)} written twice`);
          data.set(addr, hexByte(line, 4 + i));
        }
        break;
      case 0x01:
        sawEof = true;
        break;
      case 0x02:
        if (count !== 2) return bad('extended segment address record must hold 2 bytes');
        segmentBase = ((hexByte(line, 4) << 8) | hexByte(line, 5)) * 16;
        upper = 0;
        break;
      case 0x04:
        if (count !== 2) return bad('extended linear address record must hold 2 bytes');
        upper = ((hexByte(line, 4) << 8) | hexByte(line, 5)) * 0x10000;
        segmentBase = 0;
        break;
      case 0x03:
      case 0x05:
        break;
      default:
        return bad(`unknown record type ${type}`);
    }
  }
  if (data.size === 0) return { ok: false, reason: 'MALFORMED', detail: 'the file holds no data records' };
  const addrs = [...data.keys()].sort((a, b) => a - b);
  const min = addrs[0] as number;
  const max = addrs[addrs.length - 1] as number;
  const bytes = new Uint8Array(max - min + 1).fill(0xff);
  const segments: Array<[number, number]> = [];
  for (const a of addrs) {
    bytes[a - min] = data.get(a) as number;
    const last = segments[segments.length - 1];
    if (last && last[1] === a) last[1] = a + 1;
    else segments.push([a, a + 1]);
  }
  return { ok: true, image: { baseAddress: min, bytes, segments } };
}

function record(type: number, address: number, payload: ArrayLike<number>): string {
  const bytes = [payload.length, (address >> 8) & 0xff, address & 0xff, type, ...Array.from(payload)];
  const sum = bytes.reduce((a, b) => a + b, 0);
  bytes.push((0x100 - (sum & 0xff)) & 0xff);
  return ':' + bytes.map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join('') + '\n';
}

/** Writes segments as Intel HEX; later segments overwrite earlier ones where they overlap. */
export function toIntelHex(segments: readonly HexSegment[]): string {
  const data = new Map<number, number>();
  for (const s of segments) for (let i = 0; i < s.bytes.length; i++) data.set(s.address + i, s.bytes[i] as number);
  const addrs = [...data.keys()].sort((a, b) => a - b);
  if (addrs.length === 0) return record(0x01, 0, []);
  const needOffset = (addrs[addrs.length - 1] as number) > 0xffff;
  let out = '';
  let high = -1;
  let i = 0;
  while (i < addrs.length) {
    const start = addrs[i] as number;
    if (needOffset && start >>> 16 !== high) {
      high = start >>> 16;
      out += record(0x04, 0, [high >> 8, high & 0xff]);
    }
    // A record: up to 16 contiguous bytes, not crossing a 64 KiB boundary.
    const limit = Math.min(16, 0x10000 - (start & 0xffff));
    const chunk: number[] = [];
    while (chunk.length < limit && i < addrs.length && addrs[i] === start + chunk.length) {
      chunk.push(data.get(addrs[i] as number) as number);
      i++;
    }
    out += record(0x00, start & 0xffff, chunk);
  }
  return out + record(0x01, 0, []);
}
