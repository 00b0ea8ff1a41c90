/**
 * LZMA2 decompression against imgtool's compressed vectors: the decoded payload has the
 * manifest's decompressed size and SHA-256 (lzma2, lzma2armthumb, and the compressed stream
 * inside the encrypted+compressed vector); damaged streams give typed failures, never throws.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { decompressPayload, lzma2DictSize } from '../src/image/lzma2.js';

const dir = fileURLToPath(new URL('../../../../shared/vectors/image/', import.meta.url));
interface CompressedVector {
  id: string;
  output: string;
  compression?: { applied: boolean; decompressed_size: number; decompressed_sha256: string; requested: string; lzma2_header_hex?: string };
  enc?: { plaintext_body: string };
}
const manifest = JSON.parse(readFileSync(dir + 'manifest.json', 'utf8')) as { vectors: CompressedVector[]; encrypted: CompressedVector[] };
const compressed = [...manifest.vectors, ...manifest.encrypted].filter((v) => v.compression?.applied === true);

function u16(b: Uint8Array, at: number): number {
  return (b[at] as number) | ((b[at + 1] as number) << 8);
}
function u32(b: Uint8Array, at: number): number {
  return (u16(b, at) + u16(b, at + 2) * 0x10000) >>> 0;
}

/** The compressed stream of an image: its body, cut to COMP_DEC_SIZE when present. */
function compressedStream(image: Uint8Array, plainBody?: Uint8Array): Uint8Array {
  const hdr = u16(image, 8);
  const prot = u16(image, 10);
  const imgSize = u32(image, 12);
  const body = plainBody ?? image.subarray(hdr, hdr + imgSize);
  let streamLength = body.length;
  for (let at = hdr + imgSize + 4; at < hdr + imgSize + prot; at += 4 + u16(image, at + 2)) {
    if (u16(image, at) === 0x73) streamLength = u32(image, at + 4);
  }
  return body.subarray(0, streamLength);
}

test('there are compressed vectors of both kinds', () => {
  assert.ok(compressed.some((v) => v.compression?.requested === 'lzma2'));
  assert.ok(compressed.some((v) => v.compression?.requested === 'lzma2armthumb'));
});

for (const v of compressed) {
  test(`decompresses ${v.id}`, () => {
    const c = v.compression;
    assert.ok(c);
    const image = new Uint8Array(readFileSync(dir + v.output));
    const plain = v.enc === undefined ? undefined : new Uint8Array(readFileSync(dir + v.enc.plaintext_body));
    const stream = compressedStream(image, plain);
    const result = decompressPayload(stream, c.decompressed_size, c.requested === 'lzma2armthumb');
    assert.equal(result.ok, true, result.ok ? '' : result.detail);
    if (!result.ok) return;
    assert.equal(result.data.length, c.decompressed_size);
    assert.equal(createHash('sha256').update(result.data).digest('hex'), c.decompressed_sha256);
  });
}

test('dictionary-size byte decodes as in xz', () => {
  assert.equal(lzma2DictSize(0x0a), 131072);
  assert.equal(lzma2DictSize(0), 4096);
  assert.equal(lzma2DictSize(1), 6144);
  assert.equal(lzma2DictSize(41), undefined);
});

test('damaged or random streams fail with a typed reason, never a throw', () => {
  const v = compressed.find((x) => x.enc === undefined);
  assert.ok(v?.compression);
  const stream = compressedStream(new Uint8Array(readFileSync(dir + v.output)));
  const size = v.compression.decompressed_size;
  fc.assert(
    fc.property(fc.nat(stream.length - 1), fc.integer({ min: 1, max: 255 }), (at, xor) => {
      const damaged = stream.slice();
      damaged[at] = (damaged[at] as number) ^ xor;
      const result = decompressPayload(damaged, size, false);
      if (result.ok) assert.equal(result.data.length, size);
      else assert.ok(['BAD_HEADER', 'CORRUPT', 'TRUNCATED', 'TOO_LARGE'].includes(result.reason));
    }),
    { numRuns: 200 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(100000), (bytes, expected) => {
      const result = decompressPayload(bytes, expected, true);
      assert.ok(result.ok || typeof result.detail === 'string');
    }),
    { numRuns: 300 },
  );
  assert.equal(decompressPayload(stream.subarray(0, stream.length - 5), size, false).ok, false);
});
