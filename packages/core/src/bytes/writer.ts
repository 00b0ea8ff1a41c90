/**
 * @module bytes/writer
 * ByteWriter: an append-only little-endian writer that grows its buffer geometrically.
 * `finish()` returns a view of exactly the bytes written.
 */

function assertUint(value: number, bits: 8 | 16 | 32, name: string): void {
  const max = bits === 32 ? 0xffff_ffff : (1 << bits) - 1;
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${name}: expected an integer in [0, ${max}], got ${value}`);
  }
}

export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  private len = 0;

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
    this.view = new DataView(this.buf.buffer);
  }

  get length(): number {
    return this.len;
  }

  private reserve(n: number): void {
    const need = this.len + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(value: number): this {
    assertUint(value, 8, 'u8');
    this.reserve(1);
    this.buf[this.len++] = value;
    return this;
  }

  u16le(value: number): this {
    assertUint(value, 16, 'u16le');
    this.reserve(2);
    this.view.setUint16(this.len, value, true);
    this.len += 2;
    return this;
  }

  u32le(value: number): this {
    assertUint(value, 32, 'u32le');
    this.reserve(4);
    this.view.setUint32(this.len, value, true);
    this.len += 4;
    return this;
  }

  bytes(data: Uint8Array): this {
    this.reserve(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
    return this;
  }

  /** Appends `n` copies of `value`. */
  fill(value: number, n: number): this {
    assertUint(value, 8, 'fill value');
    this.reserve(n);
    this.buf.fill(value, this.len, this.len + n);
    this.len += n;
    return this;
  }

  /** Overwrites a u16 at an already written offset (for totals known only at the end). */
  patchU16le(offset: number, value: number): this {
    assertUint(value, 16, 'patchU16le');
    if (offset < 0 || offset + 2 > this.len) throw new RangeError(`patchU16le: offset ${offset} outside written bytes`);
    this.view.setUint16(offset, value, true);
    return this;
  }

  /** The bytes written so far (a view; copy it if the writer is reused). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}
