/**
 * Compressed signing (image/compress.ts): imgtool's LZMA2 properties header, the fallback to
 * the uncompressed image when compression does not pay, and — with liblzma's xz — a round
 * trip: the compressed body decompresses to the payload and DECOMP_SHA/DECOMP_SIGNATURE are
 * the uncompressed image's digest and signature.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { lzma2Header, signCompressed } from '../src/image/compress.js';
import { loadKey, type ImagePrivateKey } from '../src/image/keys.js';
import { decompressPayload } from '../src/image/lzma2.js';
import { parseImage } from '../src/image/parse.js';
import { signImage, type SignOptions } from '../src/image/sign.js';
import { nodeCrypto } from '../src/node/crypto.js';
import { isXzAvailable, xzCompress } from '../src/node/xz-compress.js';

const keys = fileURLToPath(new URL('../../../../shared/vectors/image/keys/', import.meta.url));
const key = loadKey(readFileSync(keys + 'root-ed25519.pem', 'utf8'), nodeCrypto) as ImagePrivateKey;
const payload = Uint8Array.from({ length: 20000 }, (_, i) => (i >> 6) & 0xff);
const options: SignOptions = { payload, version: { major: 1, minor: 0, revision: 0, build: 0 }, headerSize: 32, padHeader: true, slotSize: 0x20000, key };

test('imgtool LZMA2 header: dict 128 KiB, lc 3 lp 1 pb 2', () => {
  assert.deepEqual([...lzma2Header()], [0x0a, 0x66]);
  assert.deepEqual([...lzma2Header(4096, 3, 0, 2)], [0x00, 93]);
});

test('compression that does not save space keeps the uncompressed image', () => {
  const result = signCompressed(options, nodeCrypto, 'lzma2', (data) => new Uint8Array(data.length));
  assert.equal(result.applied, false);
  const plain = signImage(options, nodeCrypto);
  assert.ok(result.result.kind === 'image' && plain.kind === 'image');
  if (result.result.kind === 'image' && plain.kind === 'image') assert.deepEqual(result.result.image, plain.image);
});

test('compressed image round-trips through the LZMA2 decoder', { skip: isXzAvailable() ? false : 'needs the xz tool (liblzma)' }, () => {
  for (const kind of ['lzma2', 'lzma2armthumb'] as const) {
    const { result, applied } = signCompressed(options, nodeCrypto, kind, xzCompress);
    assert.equal(applied, true);
    assert.equal(result.kind, 'image');
    if (result.kind !== 'image') return;
    const parsed = parseImage(result.image);
    assert.ok(parsed.ok);
    if (!parsed.ok) return;
    assert.equal(parsed.image.header.flags, kind === 'lzma2' ? 0x400 : 0xc00);
    const body = result.image.subarray(parsed.image.body.offset, parsed.image.body.offset + parsed.image.body.length);
    const decoded = decompressPayload(body, payload.length, kind === 'lzma2armthumb');
    assert.ok(decoded.ok);
    if (decoded.ok) assert.deepEqual(decoded.data, payload);
    const uncompressed = signImage(options, nodeCrypto);
    assert.ok(uncompressed.kind === 'image');
    if (uncompressed.kind !== 'image') return;
    const tlv = (type: number): Uint8Array | undefined => parsed.image.protectedTlvs.find((t) => t.type === type)?.value;
    assert.deepEqual(tlv(0x70), Uint8Array.of(0x20, 0x4e, 0, 0));
    assert.deepEqual(tlv(0x71), uncompressed.digest);
    assert.deepEqual(tlv(0x72), uncompressed.signature);
    assert.equal(tlv(0x73), undefined, 'COMP_DEC_SIZE only when encrypting');
  }
});
