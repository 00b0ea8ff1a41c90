/**
 * The boot twin's view of verifyImage: a slot (image followed by erased flash and a trailer)
 * validates; the maximum image size is enforced; memoised signature checks give the same
 * answers as uncached ones, and a flipped signature is still refused after a cached success.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeCrypto } from '../src/node/crypto.js';
import { createSlotValidator, withVerifyCache } from '../src/image/slot-validator.js';
import { signImage, toBinaryOutput } from '../src/image/sign.js';
import { loadKey, type ImagePrivateKey } from '../src/image/keys.js';
import { vectorFile, vectorText } from './image-manifest.js';
import type { CryptoPort } from '../src/crypto/port.js';

const p256 = loadKey(vectorText('keys/root-ec-p256.pem'), nodeCrypto) as ImagePrivateKey;
const pubOnly = loadKey(vectorText('keys/root-ec-p256-pub.pem'), nodeCrypto);

test('a padded slot validates; the maximum image size is enforced', () => {
  const r = signImage({ payload: new Uint8Array(1000).fill(4), version: { major: 1, minor: 0, revision: 0, build: 0 }, headerSize: 32, padHeader: true, slotSize: 0x4000, key: p256, confirm: true }, nodeCrypto);
  assert.equal(r.kind, 'image');
  if (r.kind !== 'image') return;
  const slot = toBinaryOutput(r);
  const v = createSlotValidator({ crypto: nodeCrypto, keys: pubOnly });
  assert.deepEqual(v.validate(slot, { maxImageSize: 0x4000 - 432 }).valid, true);
  const tooSmall = v.validate(slot, { maxImageSize: r.length - 1 });
  assert.ok(!tooSmall.valid && tooSmall.reason === 'IMAGE_TOO_LARGE');
  assert.equal(v.validate(slot, { maxImageSize: r.length }).valid, true);
  const hashOnly = createSlotValidator({ crypto: nodeCrypto });
  assert.equal(hashOnly.validate(vectorFile('images/none-pad.bin'), { maxImageSize: 0x20000 }).valid, true);
});

test('the verify cache answers like the uncached port and counts hits', () => {
  let calls = 0;
  const counting: CryptoPort = {
    ...nodeCrypto,
    verify(r) {
      calls++;
      return nodeCrypto.verify(r);
    },
  };
  const v = createSlotValidator({ crypto: counting, keys: p256 });
  const img = vectorFile('images/ecp256-h20-basic.bin');
  for (let i = 0; i < 5; i++) assert.equal(v.validate(img, { maxImageSize: 0x20000 }).valid, true);
  assert.equal(calls, 1, 'the signature is checked once, then remembered');
  const bad = img.slice();
  bad[bad.length - 1]! ^= 1;
  const r = v.validate(bad, { maxImageSize: 0x20000 });
  assert.ok(!r.valid && r.reason === 'INVALID_SIGNATURE');
  assert.equal(calls, 2);
  // A cache in front of another key never answers for it.
  const other = loadKey(vectorText('keys/enc-ec256-priv.pem'), nodeCrypto);
  const cached = withVerifyCache(counting);
  const req = { scheme: 'ecdsa-p256' as const, message: new Uint8Array(0), digest: new Uint8Array(32), signature: new Uint8Array(70) };
  cached.verify({ ...req, key: { spki: p256.publicKey.spki } });
  const before = calls;
  cached.verify({ ...req, key: { spki: other.kind === 'private' ? other.publicKey.spki : other.spki } });
  assert.equal(calls, before + 1);
});
