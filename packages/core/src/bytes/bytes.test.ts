/** Unit tests of the wire layer: reader/writer bounds and round-trips, hex, base64, alignUp, UTF-8. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ByteReader, OutOfBoundsError } from './reader.js';
import { ByteWriter } from './writer.js';
import { bytesEqual, concatBytes, fromHex, hex, toHex } from './hex.js';
import { base64Decode, base64Encode } from './base64.js';
import { alignUp } from './align.js';
import { utf8Encode } from './utf8.js';

test('ByteReader reads little-endian and refuses reads past the end', () => {
  const r = new ByteReader(hex`3d b8 f3 96 20 00`);
  assert.equal(r.u32le(0), 0x96f3b83d);
  assert.equal(r.u16le(4), 0x20);
  assert.equal(r.u8(5), 0);
  assert.throws(() => r.u16le(5), OutOfBoundsError);
  assert.throws(() => r.u32le(-1), OutOfBoundsError);
  assert.throws(() => r.slice(2, 5), OutOfBoundsError);
  assert.equal(r.has(4, 2), true);
  assert.equal(r.has(4, 3), false);
  assert.equal(r.readU32le(), 0x96f3b83d);
  assert.equal(r.readU16le(), 0x20);
  assert.throws(() => r.readU8(), OutOfBoundsError);
});

test('ByteWriter and ByteReader round-trip sequences of fields', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.constantFrom(1, 2, 4), fc.nat()), { maxLength: 50 }), (fields) => {
      const w = new ByteWriter(1);
      const norm = fields.map(([n, v]) => [n, n === 4 ? v >>> 0 : v % (1 << (8 * n))] as const);
      for (const [n, v] of norm) {
        if (n === 1) w.u8(v);
        else if (n === 2) w.u16le(v);
        else w.u32le(v);
      }
      const r = new ByteReader(w.finish());
      for (const [n, v] of norm) assert.equal(n === 1 ? r.readU8() : n === 2 ? r.readU16le() : r.readU32le(), v);
      assert.equal(r.pos, w.length);
    }),
  );
  assert.throws(() => new ByteWriter().u8(256), RangeError);
  assert.throws(() => new ByteWriter().u16le(-1), RangeError);
  const w = new ByteWriter().u16le(0).fill(0xff, 3);
  w.patchU16le(0, 0x6907);
  assert.equal(toHex(w.finish()), '0769ffffff');
});

test('hex helpers', () => {
  assert.equal(toHex(fromHex('00 ff 10')), '00ff10');
  assert.throws(() => fromHex('abc'), RangeError);
  assert.throws(() => fromHex('zz'), RangeError);
  assert.ok(bytesEqual(concatBytes(hex`01`, hex`02 03`), hex`01 02 03`));
  assert.ok(!bytesEqual(hex`01`, hex`01 00`));
});

test('base64 matches node and rejects garbage', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 100 }), (b) => {
      const s = base64Encode(b);
      assert.equal(s, Buffer.from(b).toString('base64'));
      assert.deepEqual(base64Decode(s), b);
    }),
  );
  assert.throws(() => base64Decode('ab$d'), RangeError);
  assert.throws(() => base64Decode('a'), RangeError);
  assert.throws(() => base64Decode('ab=c'), RangeError);
});

test('alignUp needs a power-of-two alignment, like imgtool align_up', () => {
  assert.equal(alignUp(16, 8), 16);
  assert.equal(alignUp(17, 8), 24);
  assert.equal(alignUp(16, 32), 32);
  assert.equal(alignUp(0, 1), 0);
  assert.throws(() => alignUp(1, 3), RangeError);
  assert.throws(() => alignUp(1, 0), RangeError);
});

test('utf8Encode matches TextEncoder', () => {
  fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => assert.deepEqual(utf8Encode(s), new TextEncoder().encode(s))));
  assert.deepEqual(utf8Encode('\ud800x'), new TextEncoder().encode('\ud800x'));
});
