/**
 * Encrypted-image vectors (manifest `encrypted[]`): every imgtool-encrypted image decrypts
 * with its private key to the recorded AES key, plaintext body and decrypted image; our own
 * encryption of the same decrypted image decrypts back to it, and differs from imgtool's
 * only in the nondeterministic parts (payload ciphertext and key TLV).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createNodeEncCrypto } from '../src/node/enc-crypto.js';
import { decryptImage, encryptSignedImage, encTlvLength, readEncryptionKey, unwrapAesKey, wrapAesKey, type AesBits } from '../src/image/encrypt.js';

const vectorsDir = fileURLToPath(new URL('../../../../shared/vectors/image/', import.meta.url));
const manifest = JSON.parse(readFileSync(vectorsDir + 'manifest.json', 'utf8')) as {
  encrypted: Array<{
    id: string;
    output: string;
    args: string[];
    enc: { decrypt_key: string; encrypt_key: string; aes_bits: AesBits; clear: boolean; recovered_aes_key_hex: string; plaintext_body: string; decrypted_image: string; enc_tlv: { type: number; len: number } };
  }>;
};
const crypto = createNodeEncCrypto();

function file(path: string): Uint8Array {
  return new Uint8Array(readFileSync(vectorsDir + path));
}

function pemDer(path: string): Uint8Array {
  const text = readFileSync(vectorsDir + path, 'utf8');
  const body = text.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  return new Uint8Array(Buffer.from(body, 'base64'));
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

test('manifest lists encrypted vectors', () => {
  assert.ok(manifest.encrypted.length >= 9);
});

for (const vector of manifest.encrypted) {
  test(`decrypts ${vector.id}`, () => {
    const key = readEncryptionKey(crypto, pemDer(vector.enc.decrypt_key));
    assert.ok(key.decryption);
    const result = decryptImage(crypto, file(vector.output), key.decryption, { clear: vector.enc.clear });
    assert.equal(result.ok, true, result.ok ? '' : result.detail);
    if (!result.ok) return;
    assert.equal(hex(result.aesKey), vector.enc.recovered_aes_key_hex);
    assert.equal(hex(result.plaintextBody), hex(file(vector.enc.plaintext_body)));
    assert.equal(createHash('sha256').update(result.image).digest('hex'), createHash('sha256').update(file(vector.enc.decrypted_image)).digest('hex'));
  });

  test(`re-encrypts ${vector.id} and decrypts it back`, () => {
    const recipient = readEncryptionKey(crypto, pemDer(vector.enc.encrypt_key)).recipient;
    const decryption = readEncryptionKey(crypto, pemDer(vector.enc.decrypt_key)).decryption;
    assert.ok(decryption);
    const original = file(vector.output);
    const plain = file(vector.enc.decrypted_image);
    // Strip imgtool's key TLV (the last unprotected entry, before any slot padding) to get
    // the signed image as it was before encryption, then encrypt it ourselves.
    const tlvOffset = findTlv(plain, vector.enc.enc_tlv.type);
    const signed = plain.slice(0, tlvOffset);
    const total = readU16(signed, unprotectedStart(signed) + 2) - 4 - vector.enc.enc_tlv.len;
    signed[unprotectedStart(signed) + 2] = total & 0xff;
    signed[unprotectedStart(signed) + 3] = total >> 8;
    const hmacSha = vector.enc.enc_tlv.type === 0x34 ? 512 : 256;
    const ours = encryptSignedImage(crypto, signed, { recipient, aesBits: vector.enc.aes_bits, hmacSha, clear: vector.enc.clear });
    assert.equal(ours.image.length, tlvOffset + 4 + vector.enc.enc_tlv.len);
    // Same header, protected TLVs and unprotected TLVs (up to the key TLV); body differs
    // unless --clear, because the AES key is fresh.
    const hdrSize = readU16(plain, 8);
    const imgSize = readU16(plain, 12) + (readU16(plain, 14) << 16);
    assert.equal(hex(ours.image.subarray(0, hdrSize)), hex(original.subarray(0, hdrSize)));
    assert.equal(hex(ours.image.subarray(hdrSize + imgSize, tlvOffset + 4)), hex(original.subarray(hdrSize + imgSize, tlvOffset + 4)));
    if (vector.enc.clear) assert.equal(hex(ours.image.subarray(hdrSize, hdrSize + imgSize)), hex(plain.subarray(hdrSize, hdrSize + imgSize)));
    else assert.notEqual(hex(ours.image.subarray(hdrSize, hdrSize + imgSize)), hex(plain.subarray(hdrSize, hdrSize + imgSize)));
    const back = decryptImage(crypto, ours.image, decryption, { clear: vector.enc.clear });
    assert.equal(back.ok, true);
    if (!back.ok) return;
    assert.equal(hex(back.aesKey), hex(ours.aesKey));
    assert.equal(hex(back.image.subarray(0, tlvOffset + 4)), hex(plain.subarray(0, tlvOffset + 4)));
  });
}

function readU16(b: Uint8Array, at: number): number {
  return (b[at] as number) | ((b[at + 1] as number) << 8);
}

function unprotectedStart(b: Uint8Array): number {
  const hdr = readU16(b, 8);
  const prot = readU16(b, 10);
  const img = readU16(b, 12) + (readU16(b, 14) << 16);
  return hdr + img + prot;
}

function findTlv(b: Uint8Array, type: number): number {
  const start = unprotectedStart(b);
  const end = start + readU16(b, start + 2);
  for (let at = start + 4; at < end; at += 4 + readU16(b, at + 2)) if (readU16(b, at) === type) return at;
  throw new Error(`TLV 0x${type.toString(16)} not found`);
}

test('wrong decryption key is reported, not thrown', () => {
  const p256 = readEncryptionKey(crypto, pemDer('keys/enc-ec256-priv.pem')).decryption;
  assert.ok(p256);
  const other = { scheme: 'ecies-p256' as const, privateKey: crypto.generateKeyPair('p256').privateKey };
  const vector = manifest.encrypted.find((v) => v.id === 'enc-ecies-p256-aes128');
  assert.ok(vector);
  const result = decryptImage(crypto, file(vector.output), other);
  assert.deepEqual(result.ok ? 'ok' : result.reason, 'ENC_HMAC_MISMATCH');
  const x25519 = readEncryptionKey(crypto, pemDer('keys/enc-x25519-priv.pem')).decryption;
  assert.ok(x25519);
  const mismatch = decryptImage(crypto, file(vector.output), x25519);
  assert.deepEqual(mismatch.ok ? 'ok' : mismatch.reason, 'ENC_KEY_MISMATCH');
});

test('wrap/unwrap round-trips for every scheme, key size and hash', () => {
  const keys = [
    ['keys/enc-ec256-priv.pem', [256]],
    ['keys/enc-x25519-priv.pem', [256, 512]],
    ['keys/enc-rsa2048-priv.pem', [256]],
  ] as const;
  for (const [path, hashes] of keys) {
    const { recipient, decryption } = readEncryptionKey(crypto, pemDer(path));
    assert.ok(decryption);
    for (const aesBits of [128, 256] as const) {
      for (const hmacSha of hashes) {
        const aesKey = crypto.randomBytes(aesBits / 8);
        const value = wrapAesKey(crypto, recipient, aesKey, hmacSha);
        assert.equal(value.length, encTlvLength(recipient.scheme, aesBits, hmacSha));
        const type = recipient.scheme === 'rsa-oaep' ? 0x30 : recipient.scheme === 'ecies-p256' ? 0x32 : hmacSha === 512 ? 0x34 : 0x33;
        const back = unwrapAesKey(crypto, decryption, type, value, aesBits);
        assert.equal(back.ok && hex(back.aesKey), hex(aesKey));
        const tampered = value.slice();
        tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) ^ 1;
        const bad = unwrapAesKey(crypto, decryption, type, tampered, aesBits);
        assert.equal(bad.ok && recipient.scheme !== 'rsa-oaep', false);
      }
    }
  }
});

test('keys that cannot encrypt are refused with SW_ERR_KEY_INVALID', () => {
  for (const path of ['keys/root-ed25519.pem', 'keys/root-ec-p384.pem', 'keys/root-ed25519-pub.pem']) {
    assert.throws(() => readEncryptionKey(crypto, pemDer(path)), (e: unknown) => e instanceof Error && 'code' in e && e.code === 'SW_ERR_KEY_INVALID');
  }
  assert.throws(() => readEncryptionKey(crypto, new Uint8Array([1, 2, 3])), (e: unknown) => e instanceof Error && 'code' in e && e.code === 'SW_ERR_KEY_INVALID');
});

test('property: any payload signed with encryptionExtension decrypts back and verifies', async () => {
  const fc = (await import('fast-check')).default;
  const { signImage } = await import('../src/image/sign.js');
  const { verifyImage } = await import('../src/image/verify.js');
  const { loadKey } = await import('../src/image/keys.js');
  const { nodeCrypto } = await import('../src/node/crypto.js');
  const { encryptionExtension } = await import('../src/image/encrypt.js');
  const signer = loadKey(readFileSync(vectorsDir + 'keys/root-ed25519.pem', 'utf8'), nodeCrypto);
  assert.equal(signer.kind, 'private');
  if (signer.kind !== 'private') return;
  const keyFiles = ['keys/enc-ec256-priv.pem', 'keys/enc-x25519-priv.pem', 'keys/enc-rsa2048-priv.pem'];
  const parsedKeys = keyFiles.map((f) => readEncryptionKey(crypto, pemDer(f)));
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 3000 }), fc.nat(2), fc.constantFrom(128, 256), fc.boolean(), fc.boolean(), (payload, which, aesBits, clear, sha512) => {
      const { recipient, decryption } = parsedKeys[which] as ReturnType<typeof readEncryptionKey>;
      assert.ok(decryption);
      const hmacSha = sha512 && recipient.scheme === 'ecies-x25519' ? 512 : 256;
      const { aesKey, ...extension } = encryptionExtension(crypto, { recipient, aesBits: aesBits as AesBits, hmacSha, clear });
      const signed = signImage({ payload, version: { major: 1, minor: 2, revision: 3, build: 4 }, headerSize: 32, padHeader: true, slotSize: 0, key: signer, extension }, nodeCrypto);
      assert.equal(signed.kind, 'image');
      if (signed.kind !== 'image') return;
      const back = decryptImage(crypto, signed.image, decryption, { clear });
      assert.ok(back.ok);
      if (!back.ok) return;
      assert.deepEqual(back.aesKey, aesKey);
      assert.deepEqual(back.plaintextBody.subarray(0, payload.length), payload);
      assert.equal(verifyImage(back.image, { crypto: nodeCrypto, keys: signer }).ok, true);
      if (!clear && payload.length > 16) assert.equal(verifyImage(signed.image, { crypto: nodeCrypto, keys: signer }).ok, false);
    }),
    { numRuns: 60 },
  );
});

test('AES key wrap matches RFC 3394 §4.1 and §4.6', () => {
  const kek128 = Buffer.from('000102030405060708090A0B0C0D0E0F', 'hex');
  const data128 = Buffer.from('00112233445566778899AABBCCDDEEFF', 'hex');
  assert.equal(hex(crypto.aesKeyWrap(kek128, data128)), '1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5');
  const kek256 = Buffer.from('000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F', 'hex');
  const data256 = Buffer.from('00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F', 'hex');
  const wrapped = crypto.aesKeyWrap(kek256, data256);
  assert.equal(hex(wrapped), '28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326cbc7f0e71a99f43bfb988b9b7a02dd21');
  assert.equal(hex(crypto.aesKeyUnwrap(kek256, wrapped) ?? new Uint8Array()), hex(data256));
  assert.equal(crypto.aesKeyUnwrap(kek128, crypto.aesKeyWrap(kek128, data128).map((b, i) => (i === 0 ? b ^ 1 : b))), undefined);
});

test('ENC_KW images (newt/simulator style) with the MCUboot test KEK round-trip', async () => {
  const { readKeyEncryptionKey, encryptionExtension } = await import('../src/image/encrypt.js');
  const { signImage } = await import('../src/image/sign.js');
  const { nodeCrypto } = await import('../src/node/crypto.js');
  const { recipient, decryption } = readKeyEncryptionKey(readFileSync(vectorsDir + 'keys/enc-aes128kw.b64', 'utf8'));
  assert.equal(recipient.publicKey.length, 16);
  const { aesKey, ...extension } = encryptionExtension(crypto, { recipient, aesBits: 128 });
  const payload = Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff);
  const signed = signImage({ payload, version: { major: 1, minor: 0, revision: 0, build: 0 }, headerSize: 32, padHeader: true, slotSize: 0, extension }, nodeCrypto);
  assert.ok(signed.kind === 'image');
  if (signed.kind !== 'image') return;
  const back = decryptImage(crypto, signed.image, decryption);
  assert.ok(back.ok);
  if (!back.ok) return;
  assert.deepEqual(back.aesKey, aesKey);
  assert.deepEqual(back.plaintextBody.subarray(0, 1000), payload);
  const wrongKek = { scheme: 'aes-kw' as const, privateKey: new Uint8Array(16) };
  const wrong = decryptImage(crypto, signed.image, wrongKek);
  assert.equal(wrong.ok ? 'ok' : wrong.reason, 'ENC_KEY_MISMATCH');
  assert.throws(() => readKeyEncryptionKey('not base64!'), /SW_ERR_KEY_INVALID|base64/);
  assert.throws(() => readKeyEncryptionKey(Buffer.alloc(20).toString('base64')), /16 or 32 bytes/);
});
