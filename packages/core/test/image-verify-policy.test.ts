/**
 * The bootloader and imgtool policies on hand-built TLV arrangements the vectors do not cover:
 * several signatures (MCUboot: the last checked one decides; imgtool: any), key selection by
 * KEYHASH among several trusted keys, length rules of image_validate.c, a pinned hash algorithm.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeCrypto } from '../src/node/crypto.js';
import { signImage } from '../src/image/sign.js';
import { verifyImage, type VerifyOptions } from '../src/image/verify.js';
import { encodeTlvArea, type TlvInput } from '../src/image/tlv.js';
import { parseImage } from '../src/image/parse.js';
import { TlvInfoMagic, TlvType } from '../src/image/constants.js';
import { loadKey, type ImagePrivateKey } from '../src/image/keys.js';
import { concatBytes } from '../src/bytes/hex.js';
import { vectorText } from './image-manifest.js';

const k1 = loadKey(vectorText('keys/root-ed25519.pem'), nodeCrypto) as ImagePrivateKey;
const k2 = loadKey(vectorText('keys/root-ed25519-2.pem'), nodeCrypto) as ImagePrivateKey;
const x25519 = loadKey(vectorText('keys/enc-x25519-priv.pem'), nodeCrypto);

const signed = signImage({ payload: new Uint8Array(300).fill(9), version: { major: 1, minor: 0, revision: 0, build: 0 }, headerSize: 32, padHeader: true, slotSize: 0, key: k1 }, nodeCrypto);
if (signed.kind !== 'image') throw new Error('expected an image');
const hashed = signed.image.subarray(0, signed.hashedLength);
const digest = signed.digest;
const keyHash = (k: ImagePrivateKey): Uint8Array => nodeCrypto.createHash('sha256').update(k.publicKey.imgtoolDer).digest();
const sigBy = (k: ImagePrivateKey): Uint8Array => nodeCrypto.sign({ scheme: 'ed25519', key: k.material, message: digest });
const badSig = new Uint8Array(64).fill(7);

function image(tlvs: TlvInput[]): Uint8Array {
  return concatBytes(hashed, encodeTlvArea(TlvInfoMagic.UNPROTECTED, tlvs, 'little', true));
}
const H: TlvInput = { type: TlvType.SHA256, value: digest };
const kh = (k: ImagePrivateKey): TlvInput => ({ type: TlvType.KEYHASH, value: keyHash(k) });
const ed = (sig: Uint8Array): TlvInput => ({ type: TlvType.ED25519, value: sig });

function reason(bytes: Uint8Array, o: Omit<VerifyOptions, 'crypto'>): string {
  const r = verifyImage(bytes, { crypto: nodeCrypto, ...o });
  return r.ok ? `OK#${r.signature?.keyIndex ?? '-'}` : r.reason;
}

test('the image built here verifies, and its parse matches what was built', () => {
  assert.equal(reason(signed.image, { keys: k1 }), 'OK#0');
  const p = parseImage(image([H, kh(k1), ed(sigBy(k1))]));
  assert.ok(p.ok);
});

test('several signatures: MCUboot lets the last checked one decide, imgtool accepts any', () => {
  const validLast = image([H, kh(k2), ed(badSig), kh(k1), ed(sigBy(k1))]);
  const validFirst = image([H, kh(k1), ed(sigBy(k1)), kh(k2), ed(badSig)]);
  const keys = [k1, k2];
  assert.equal(reason(validLast, { keys, policy: 'bootloader' }), 'OK#0');
  assert.equal(reason(validFirst, { keys, policy: 'bootloader' }), 'INVALID_SIGNATURE');
  assert.equal(reason(validFirst, { keys, policy: 'imgtool' }), 'OK#0');
  // A signature after a KEYHASH of an untrusted key is skipped, not checked.
  assert.equal(reason(validFirst, { keys: k1, policy: 'bootloader' }), 'OK#0');
});

test('KEYHASH picks among several trusted keys', () => {
  const byK2 = image([H, kh(k2), ed(sigBy(k2))]);
  assert.equal(reason(byK2, { keys: [k1, k2] }), 'OK#1');
  assert.equal(reason(byK2, { keys: [k1] }), 'INVALID_SIGNATURE');
  // A KEYHASH naming k2 over a signature by k1: the key hash was tampered with.
  assert.equal(reason(image([H, kh(k2), ed(sigBy(k1))]), { keys: [k1] }), 'KEYHASH_MISMATCH');
  // PUBKEY (--public-key-format full) selects by the full encoding.
  assert.equal(reason(image([H, { type: TlvType.PUBKEY, value: k2.publicKey.imgtoolDer }, ed(sigBy(k2))]), { keys: [k1, k2] }), 'OK#1');
});

test('length rules of image_validate.c', () => {
  assert.equal(reason(image([H, { type: TlvType.KEYHASH, value: new Uint8Array(33) }, ed(sigBy(k1))]), { keys: k1 }), 'MALFORMED');
  assert.equal(reason(image([H, kh(k1), ed(sigBy(k1).subarray(0, 63))]), { keys: k1 }), 'INVALID_SIGNATURE');
  assert.equal(reason(image([{ type: TlvType.SHA256, value: digest.subarray(0, 31) }, kh(k1), ed(sigBy(k1))]), { keys: k1 }), 'INVALID_HASH');
  assert.equal(reason(image([H, { type: TlvType.SIG_PURE, value: new Uint8Array([2]) }]), {}), 'MALFORMED');
  assert.equal(reason(image([H, { type: 0xa0, value: new Uint8Array(1) }]), {}), 'TLV_NOT_ALLOWED_UNPROTECTED');
  assert.equal(reason(image([H, { type: 0xa0, value: new Uint8Array(1) }]), { policy: 'imgtool' }), 'OK#-');
});

test('hash selection: missing hash, pinned algorithm, key that cannot go with the hash', () => {
  assert.equal(reason(image([kh(k1), ed(sigBy(k1))]), { keys: k1 }), 'MISSING_HASH');
  assert.equal(reason(image([kh(k1), ed(sigBy(k1))]), { keys: k1, policy: 'imgtool' }), 'MISSING_HASH');
  assert.equal(reason(signed.image, { keys: k1, hashAlgorithm: 'sha512' }), 'MISSING_HASH');
  assert.equal(reason(signed.image, { keys: k1, hashAlgorithm: 'sha256' }), 'OK#0');
  assert.equal(reason(signed.image, { keys: x25519 }), 'KEY_MISMATCH');
  assert.equal(reason(image([H]), { keys: k1 }), 'INVALID_SIGNATURE');
});

test('parse strictness: each imgtool-tolerated deviation is an issue in lenient mode and a failure in strict mode', () => {
  const img = signed.image.slice();
  img[10] = 4; // ih_protect_tlv_size = 4 with no protected area
  const strict = parseImage(img);
  assert.ok(!strict.ok && strict.reason === 'PROTECTED_TLV_SIZE_MISMATCH');
  const lenient = parseImage(img, { lenient: true });
  assert.ok(lenient.ok && lenient.image.issues[0]?.reason === 'PROTECTED_TLV_SIZE_MISMATCH');
  const overrun = image([H, { type: TlvType.KEYHASH, value: new Uint8Array(32) }]);
  overrun[overrun.length - 34] = 40; // KEYHASH it_len 40 runs past the area end
  const o = parseImage(overrun);
  assert.ok(!o.ok && (o.reason === 'TLV_OUT_OF_BOUNDS' || o.reason === 'TRUNCATED'), o.ok ? '' : o.reason);
});
