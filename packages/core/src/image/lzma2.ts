/**
 * @module image/lzma2
 * Decompression of imgtool's compressed payloads (`--compression lzma2|lzma2armthumb`, spec
 * §1.15): a 2-byte properties header (LZMA2 dictionary-size byte, then the lc/lp/pb byte
 * `(pb*5 + lp)*9 + lc`), a raw LZMA2 stream, and for `lzma2armthumb` the ARM-Thumb BCJ filter
 * undone afterwards. Mirrors what MCUboot's `boot/bootutil/src/decompression.c` does with
 * the LZMA SDK (`Lzma2Dec`, `Bra`). Decoding only: compressing byte-exactly like imgtool needs
 * liblzma itself (see `node/xz-compress.ts`).
 *
 * Every length in the stream is attacker-controlled: chunk sizes, distances and the output
 * size are checked against the declared limits before they are used; a bad stream is a
 * typed result, never a throw or an unbounded allocation.
 */

/** Why a compressed payload could not be decoded. */
export type Lzma2Failure = 'BAD_HEADER' | 'CORRUPT' | 'TRUNCATED' | 'TOO_LARGE';

export type Lzma2Result = { readonly ok: true; readonly data: Uint8Array } | { readonly ok: false; readonly reason: Lzma2Failure; readonly detail: string };

class DecodeError extends Error {
  readonly reason: Lzma2Failure;
  constructor(reason: Lzma2Failure, detail: string) {
    super(detail);
    this.reason = reason;
  }
}

/** The dictionary size an LZMA2 dictionary-size byte encodes (xz `lzma2_dict_size`). */
export function lzma2DictSize(byte: number): number | undefined {
  if (byte > 40) return undefined;
  if (byte === 40) return 0xffffffff;
  return (2 | (byte & 1)) * 2 ** (Math.floor(byte / 2) + 11);
}

const PROB_INIT = 1024;
const STATES = 12;
const POS_STATES_MAX = 16;
const END_POS_MODEL_INDEX = 14;
const FULL_DISTANCES = 128;
const ALIGN_BITS = 4;

class RangeDecoder {
  private range = 0;
  private code = 0;
  private pos: number;
  private readonly end: number;
  private readonly input: Uint8Array;
  constructor(input: Uint8Array, start: number, end: number) {
    this.input = input;
    this.pos = start;
    this.end = end;
    if (this.next() !== 0) throw new DecodeError('CORRUPT', 'range coder must start with a zero byte');
    this.range = 0xffffffff;
    for (let i = 0; i < 4; i++) this.code = this.code * 256 + this.next();
    if (this.code >= this.range) throw new DecodeError('CORRUPT', 'range coder start value out of range');
  }
  private next(): number {
    if (this.pos >= this.end) throw new DecodeError('TRUNCATED', 'compressed chunk ends early');
    return this.input[this.pos++] as number;
  }
  private normalize(): void {
    if (this.range < 0x1000000) {
      this.range *= 256;
      this.code = this.code * 256 + this.next();
    }
  }
  bit(probs: Uint16Array, index: number): number {
    const prob = probs[index] as number;
    const bound = Math.floor(this.range / 2048) * prob;
    let bit: number;
    if (this.code < bound) {
      this.range = bound;
      probs[index] = prob + ((2048 - prob) >> 5);
      bit = 0;
    } else {
      this.range -= bound;
      this.code -= bound;
      probs[index] = prob - (prob >> 5);
      bit = 1;
    }
    this.normalize();
    return bit;
  }
  direct(count: number): number {
    let result = 0;
    for (let i = 0; i < count; i++) {
      this.range = Math.floor(this.range / 2);
      let bit = 0;
      if (this.code >= this.range) {
        this.code -= this.range;
        bit = 1;
      }
      result = result * 2 + bit;
      this.normalize();
    }
    return result;
  }
  tree(probs: Uint16Array, offset: number, bits: number): number {
    let m = 1;
    for (let i = 0; i < bits; i++) m = (m << 1) + this.bit(probs, offset + m);
    return m - (1 << bits);
  }
  reverseTree(probs: Uint16Array, offset: number, bits: number): number {
    let m = 1;
    let symbol = 0;
    for (let i = 0; i < bits; i++) {
      const bit = this.bit(probs, offset + m);
      m = (m << 1) + bit;
      symbol |= bit << i;
    }
    return symbol;
  }
  get position(): number {
    return this.pos;
  }
}

class LengthDecoder {
  readonly choice = new Uint16Array(2);
  readonly low = new Uint16Array(POS_STATES_MAX << 3);
  readonly mid = new Uint16Array(POS_STATES_MAX << 3);
  readonly high = new Uint16Array(256);
  reset(): void {
    for (const a of [this.choice, this.low, this.mid, this.high]) a.fill(PROB_INIT);
  }
  decode(rc: RangeDecoder, posState: number): number {
    if (rc.bit(this.choice, 0) === 0) return rc.tree(this.low, posState << 3, 3);
    if (rc.bit(this.choice, 1) === 0) return 8 + rc.tree(this.mid, posState << 3, 3);
    return 16 + rc.tree(this.high, 0, 8);
  }
}

/** LZMA state shared across LZMA2 chunks. */
class LzmaState {
  lc = 0;
  lp = 0;
  pb = 0;
  state = 0;
  reps = [0, 0, 0, 0];
  literal = new Uint16Array(0x300);
  readonly isMatch = new Uint16Array(STATES << 4);
  readonly isRep = new Uint16Array(STATES);
  readonly isRepG0 = new Uint16Array(STATES);
  readonly isRepG1 = new Uint16Array(STATES);
  readonly isRepG2 = new Uint16Array(STATES);
  readonly isRep0Long = new Uint16Array(STATES << 4);
  readonly posSlot = new Uint16Array(4 << 6);
  readonly posSpecial = new Uint16Array(1 + FULL_DISTANCES - END_POS_MODEL_INDEX);
  readonly align = new Uint16Array(1 << ALIGN_BITS);
  readonly length = new LengthDecoder();
  readonly repLength = new LengthDecoder();

  setProperties(byte: number): void {
    if (byte >= 9 * 5 * 5) throw new DecodeError('CORRUPT', `invalid lc/lp/pb byte 0x${byte.toString(16)}`);
    this.lc = byte % 9;
    this.lp = Math.floor(byte / 9) % 5;
    this.pb = Math.floor(byte / 45);
    if (this.lc + this.lp > 4) throw new DecodeError('CORRUPT', 'LZMA2 requires lc + lp <= 4');
    this.literal = new Uint16Array(0x300 << (this.lc + this.lp));
  }

  reset(): void {
    this.state = 0;
    this.reps = [0, 0, 0, 0];
    for (const a of [this.literal, this.isMatch, this.isRep, this.isRepG0, this.isRepG1, this.isRepG2, this.isRep0Long, this.posSlot, this.posSpecial, this.align]) a.fill(PROB_INIT);
    this.length.reset();
    this.repLength.reset();
  }
}

class Output {
  readonly bytes: Uint8Array;
  length = 0;
  /** Start of the current dictionary (after the last dictionary reset). */
  dictStart = 0;
  constructor(limit: number) {
    this.bytes = new Uint8Array(limit);
  }
  put(byte: number): void {
    if (this.length >= this.bytes.length) throw new DecodeError('TOO_LARGE', `the stream decodes to more than the declared ${this.bytes.length} bytes`);
    this.bytes[this.length++] = byte;
  }
  back(distance: number): number {
    return this.bytes[this.length - distance] as number;
  }
}

function decodeLzmaChunk(s: LzmaState, rc: RangeDecoder, out: Output, unpacked: number, dictSize: number): void {
  const end = out.length + unpacked;
  if (end > out.bytes.length) throw new DecodeError('TOO_LARGE', `the stream decodes to more than the declared ${out.bytes.length} bytes`);
  const pbMask = (1 << s.pb) - 1;
  const lpMask = (1 << s.lp) - 1;
  while (out.length < end) {
    const pos = out.length - out.dictStart;
    const posState = pos & pbMask;
    if (rc.bit(s.isMatch, (s.state << 4) + posState) === 0) {
      const prev = pos > 0 ? out.back(1) : 0;
      const base = 0x300 * (((pos & lpMask) << s.lc) + (prev >> (8 - s.lc)));
      let symbol = 1;
      if (s.state >= 7) {
        let matchByte = out.back((s.reps[0] as number) + 1);
        do {
          const matchBit = (matchByte >> 7) & 1;
          matchByte <<= 1;
          const bit = rc.bit(s.literal, base + ((1 + matchBit) << 8) + symbol);
          symbol = (symbol << 1) | bit;
          if (matchBit !== bit) break;
        } while (symbol < 0x100);
      }
      while (symbol < 0x100) symbol = (symbol << 1) | rc.bit(s.literal, base + symbol);
      out.put(symbol & 0xff);
      s.state = s.state < 4 ? 0 : s.state < 10 ? s.state - 3 : s.state - 6;
      continue;
    }
    let length: number;
    if (rc.bit(s.isRep, s.state) === 0) {
      length = s.length.decode(rc, posState);
      s.state = s.state < 7 ? 7 : 10;
      const lenState = Math.min(length, 3);
      const slot = rc.tree(s.posSlot, lenState << 6, 6);
      let distance: number;
      if (slot < 4) distance = slot;
      else {
        const direct = (slot >> 1) - 1;
        distance = (2 | (slot & 1)) * 2 ** direct;
        if (slot < END_POS_MODEL_INDEX) distance += rc.reverseTree(s.posSpecial, distance - slot, direct);
        else distance += rc.direct(direct - ALIGN_BITS) * 16 + rc.reverseTree(s.align, 0, ALIGN_BITS);
      }
      if (distance === 0xffffffff) throw new DecodeError('CORRUPT', 'end marker inside an LZMA2 chunk');
      s.reps = [distance, s.reps[0] as number, s.reps[1] as number, s.reps[2] as number];
    } else {
      if (rc.bit(s.isRepG0, s.state) === 0) {
        if (rc.bit(s.isRep0Long, (s.state << 4) + posState) === 0) {
          s.state = s.state < 7 ? 9 : 11;
          if ((s.reps[0] as number) >= pos) throw new DecodeError('CORRUPT', 'match distance before the start of the dictionary');
          out.put(out.back((s.reps[0] as number) + 1));
          continue;
        }
      } else {
        let distance: number;
        if (rc.bit(s.isRepG1, s.state) === 0) {
          distance = s.reps[1] as number;
        } else if (rc.bit(s.isRepG2, s.state) === 0) {
          distance = s.reps[2] as number;
          s.reps[2] = s.reps[1] as number;
        } else {
          distance = s.reps[3] as number;
          s.reps[3] = s.reps[2] as number;
          s.reps[2] = s.reps[1] as number;
        }
        s.reps[1] = s.reps[0] as number;
        s.reps[0] = distance;
      }
      length = s.repLength.decode(rc, posState);
      s.state = s.state < 7 ? 8 : 11;
    }
    const distance = (s.reps[0] as number) + 1;
    if (distance > pos || distance > dictSize) throw new DecodeError('CORRUPT', `match distance ${distance} reaches before the dictionary`);
    const count = length + 2;
    if (out.length + count > end) throw new DecodeError('CORRUPT', 'a match runs past the end of its chunk');
    for (let i = 0; i < count; i++) out.put(out.back(distance));
  }
}

/** Decodes a raw LZMA2 stream whose decoded size must be exactly `expectedSize` bytes. */
export function decodeLzma2Raw(stream: Uint8Array, dictSize: number, expectedSize: number): Lzma2Result {
  const out = new Output(expectedSize);
  const s = new LzmaState();
  let at = 0;
  let needDictReset = true;
  let needProps = true;
  try {
    for (;;) {
      if (at >= stream.length) throw new DecodeError('TRUNCATED', 'the LZMA2 stream has no end marker');
      const control = stream[at++] as number;
      if (control === 0x00) break;
      if (control === 0x01 || control === 0x02) {
        if (at + 2 > stream.length) throw new DecodeError('TRUNCATED', 'uncompressed chunk header cut off');
        const size = (((stream[at] as number) << 8) | (stream[at + 1] as number)) + 1;
        at += 2;
        if (control === 0x01) {
          out.dictStart = out.length;
          needDictReset = false;
        } else if (needDictReset) throw new DecodeError('CORRUPT', 'the first chunk must reset the dictionary');
        if (at + size > stream.length) throw new DecodeError('TRUNCATED', 'uncompressed chunk cut off');
        for (let i = 0; i < size; i++) out.put(stream[at + i] as number);
        at += size;
        continue;
      }
      if (control < 0x80) throw new DecodeError('CORRUPT', `invalid LZMA2 control byte 0x${control.toString(16)}`);
      if (at + 4 > stream.length) throw new DecodeError('TRUNCATED', 'LZMA chunk header cut off');
      const unpacked = (control & 0x1f) * 0x10000 + ((stream[at] as number) << 8) + (stream[at + 1] as number) + 1;
      const packed = ((stream[at + 2] as number) << 8) + (stream[at + 3] as number) + 1;
      at += 4;
      const reset = (control >> 5) & 3;
      if (reset === 3) {
        out.dictStart = out.length;
        needDictReset = false;
      } else if (needDictReset) throw new DecodeError('CORRUPT', 'the first chunk must reset the dictionary');
      if (reset >= 2) {
        if (at >= stream.length) throw new DecodeError('TRUNCATED', 'LZMA chunk properties cut off');
        s.setProperties(stream[at++] as number);
        needProps = false;
      } else if (needProps) throw new DecodeError('CORRUPT', 'an LZMA chunk needs properties first');
      if (reset >= 1) s.reset();
      if (at + packed > stream.length) throw new DecodeError('TRUNCATED', 'LZMA chunk data cut off');
      const rc = new RangeDecoder(stream, at, at + packed);
      decodeLzmaChunk(s, rc, out, unpacked, dictSize);
      if (rc.position !== at + packed) throw new DecodeError('CORRUPT', 'LZMA chunk size disagrees with its data');
      at += packed;
    }
    if (out.length !== expectedSize) throw new DecodeError('CORRUPT', `the stream decodes to ${out.length} bytes, expected ${expectedSize}`);
    return { ok: true, data: out.bytes };
  } catch (error) {
    if (error instanceof DecodeError) return { ok: false, reason: error.reason, detail: error.message };
    throw error;
  }
}

/** Undoes the ARM-Thumb BCJ filter in place (xz `armthumb_code`, decoding, start offset 0). */
export function armThumbDecode(buffer: Uint8Array): Uint8Array {
  for (let i = 0; i + 4 <= buffer.length; i += 2) {
    const b0 = buffer[i] as number;
    const b1 = buffer[i + 1] as number;
    const b2 = buffer[i + 2] as number;
    const b3 = buffer[i + 3] as number;
    if ((b1 & 0xf8) === 0xf0 && (b3 & 0xf8) === 0xf8) {
      const src = (((b1 & 7) << 19) | (b0 << 11) | ((b3 & 7) << 8) | b2) * 2;
      const dest = ((src - (i + 4)) >>> 0) >>> 1;
      buffer[i + 1] = 0xf0 | ((dest >>> 19) & 7);
      buffer[i] = (dest >>> 11) & 0xff;
      buffer[i + 3] = 0xf8 | ((dest >>> 8) & 7);
      buffer[i + 2] = dest & 0xff;
      i += 2;
    }
  }
  return buffer;
}

/** Decompresses an imgtool compressed payload (2-byte header + raw LZMA2), undoing the
 * ARM-Thumb filter when `armThumb`. `expectedSize` is the DECOMP_SIZE TLV value. */
export function decompressPayload(payload: Uint8Array, expectedSize: number, armThumb: boolean): Lzma2Result {
  if (payload.length < 3) return { ok: false, reason: 'BAD_HEADER', detail: 'compressed payload shorter than its 2-byte header' };
  const dictSize = lzma2DictSize(payload[0] as number);
  if (dictSize === undefined) return { ok: false, reason: 'BAD_HEADER', detail: `invalid LZMA2 dictionary byte 0x${(payload[0] as number).toString(16)}` };
  const result = decodeLzma2Raw(payload.subarray(2), dictSize, expectedSize);
  if (!result.ok || !armThumb) return result;
  return { ok: true, data: armThumbDecode(result.data) };
}
