/**
 * Exhaustive companions of the fast-check properties on a small signed image: every single
 * bit of the hashed region and of the signature, and every truncation, is rejected with a
 * typed reason under both policies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeCrypto } from '../src/node/crypto.js';
import { signImage } from '../src/image/sign.js';
import { verifyImage } from '../src/image/verify.js';
import { parseImage } from '../src/image/parse.js';
import { loadKey, type ImagePrivateKey } from '../src/image/keys.js';
import { TlvType } from '../src/image/constants.js';
import { vectorText } from './image-manifest.js';

const key = loadKey(vectorText('keys/root-ed25519.pem'), nodeCrypto) as ImagePrivateKey;
const r = signImage({ payload: Uint8Array.from({ length: 64 }, (_, i) => i), version: { major: 2, minor: 1, revision: 0, build: 7 }, headerSize: 32, padHeader: true, slotSize: 0, key, securityCounter: 3, dependencies: [{ imageId: 1, version: { major: 1, minor: 0, revision: 0, build: 0 } }] }, nodeCrypto);
if (r.kind !== 'image') throw new Error('expected an image');
const img = r.image;

test('every single bit flip in the hashed region or the signature is rejected', () => {
  const p = parseImage(img);
  assert.ok(p.ok);
  if (!p.ok) return;
  const sig = p.image.unprotectedTlvs.find((t) => t.type === TlvType.ED25519)!;
  const bits = [...Array(r.hashedLength * 8).keys(), ...Array.from({ length: sig.len * 8 }, (_, i) => (sig.offset + 4) * 8 + i)];
  let checked = 0;
  for (const bit of bits) {
    const b = img.slice();
    b[bit >> 3]! ^= 1 << (bit & 7);
    for (const policy of ['bootloader', 'imgtool'] as const) {
      const v = verifyImage(b, { crypto: nodeCrypto, keys: key, policy });
      assert.ok(!v.ok, `bit ${bit} accepted under ${policy}`);
      checked++;
    }
  }
  assert.equal(checked, bits.length * 2);
});

test('every truncation of the image is rejected', () => {
  for (let n = 0; n < img.length; n++) {
    for (const policy of ['bootloader', 'imgtool'] as const) {
      const v = verifyImage(img.subarray(0, n), { crypto: nodeCrypto, keys: key, policy });
      assert.ok(!v.ok, `truncated to ${n} accepted under ${policy}`);
      if (n < img.length - 64 - 4) assert.ok(['TRUNCATED', 'INVALID_MAGIC'].includes(v.reason) || policy === 'imgtool', `${n}: ${v.reason}`);
    }
  }
});
