/**
 * @module bytes/reader
 * ByteReader: little-endian reads over a Uint8Array with one bounds check per read and
 * `subarray` views instead of copies. Knows bytes only; no MCUboot semantics.
 */

/** Thrown by ByteReader when a read would run past the end; callers convert it to a result. */
export class OutOfBoundsError extends RangeError {
  readonly offset: number;
  readonly wanted: number;
  readonly available: number;
  constructor(offset: number, wanted: number, available: number) {
    super(`read of ${wanted} byte(s) at 0x${offset.toString(16)} runs past the end (0x${available.toString(16)} bytes)`);
    this.name = 'OutOfBoundsError';
    this.offset = offset;
    this.wanted = wanted;
    this.available = available;
  }
}

/** Little-endian accessors at absolute offsets, plus a cursor for sequential reads. */
export class ByteReader {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  /** Cursor used by the sequential `read*` methods. */
  pos = 0;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.bytes.length;
  }

  /** True when `n` bytes are available at `offset` (no throw). */
  has(offset: number, n: number): boolean {
    return Number.isInteger(offset) && offset >= 0 && n >= 0 && offset + n <= this.bytes.length;
  }

  private check(offset: number, n: number): void {
    if (!this.has(offset, n)) throw new OutOfBoundsError(offset, n, this.bytes.length);
  }

  u8(offset: number): number {
    this.check(offset, 1);
    return this.view.getUint8(offset);
  }

  u16le(offset: number): number {
    this.check(offset, 2);
    return this.view.getUint16(offset, true);
  }

  u32le(offset: number): number {
    this.check(offset, 4);
    return this.view.getUint32(offset, true);
  }

  /** A view (not a copy) of `n` bytes at `offset`. */
  slice(offset: number, n: number): Uint8Array {
    this.check(offset, n);
    return this.bytes.subarray(offset, offset + n);
  }

  readU8(): number {
    const v = this.u8(this.pos);
    this.pos += 1;
    return v;
  }

  readU16le(): number {
    const v = this.u16le(this.pos);
    this.pos += 2;
    return v;
  }

  readU32le(): number {
    const v = this.u32le(this.pos);
    this.pos += 4;
    return v;
  }

  readBytes(n: number): Uint8Array {
    const v = this.slice(this.pos, n);
    this.pos += n;
    return v;
  }
}
