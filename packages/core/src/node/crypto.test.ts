/**
 * The node:crypto adapter's prehashed paths against OpenSSL's own digest-sign API: signatures
 * made from a digest verify over the message, and verification from a digest agrees with
 * OpenSSL's verdict on good and tampered signatures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import type { SignatureScheme } from '../crypto/port.js';
import { nodeCrypto } from './crypto.js';

const CASES: readonly { scheme: SignatureScheme; hash: string; gen: () => crypto.KeyPairKeyObjectResult }[] = [
  { scheme: 'rsa-pss', hash: 'sha256', gen: () => crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }) },
  { scheme: 'rsa-pss', hash: 'sha256', gen: () => crypto.generateKeyPairSync('rsa', { modulusLength: 3072 }) },
  { scheme: 'ecdsa-p256', hash: 'sha256', gen: () => crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' }) },
  { scheme: 'ecdsa-p384', hash: 'sha384', gen: () => crypto.generateKeyPairSync('ec', { namedCurve: 'secp384r1' }) },
];

const PSS = { padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };

for (const { scheme, hash, gen } of CASES) {
  const { privateKey, publicKey } = gen();
  const bits = privateKey.asymmetricKeyDetails?.modulusLength ?? privateKey.asymmetricKeyDetails?.namedCurve;
  const key = { der: new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' })), container: 'pkcs8' as const };
  const pub = { spki: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })) };
  const opensslKey = scheme === 'rsa-pss' ? { key: publicKey, ...PSS } : publicKey;

  test(`${scheme} (${bits}): signing from the digest, OpenSSL verifies over the message`, () => {
    for (let i = 0; i < 12; i++) {
      const message = crypto.randomBytes(i * 31);
      const digest = new Uint8Array(crypto.createHash(hash).update(message).digest());
      const sig = nodeCrypto.sign({ scheme, key, message: new Uint8Array(0), digest });
      assert.ok(crypto.verify(hash, message, opensslKey, sig), `message of ${message.length} bytes`);
    }
  });

  test(`${scheme} (${bits}): verifying from the digest agrees with OpenSSL`, () => {
    const signer = scheme === 'rsa-pss' ? { key: privateKey, ...PSS } : privateKey;
    for (let i = 0; i < 12; i++) {
      const message = crypto.randomBytes(1 + i * 17);
      const digest = new Uint8Array(crypto.createHash(hash).update(message).digest());
      const sig = new Uint8Array(crypto.sign(hash, message, signer));
      const bad = Uint8Array.from(sig);
      bad[(i * 7) % bad.length] = (bad[(i * 7) % bad.length] as number) ^ (1 << i % 8);
      for (const s of [sig, bad]) {
        // The message is deliberately empty: only the digest may decide.
        assert.equal(nodeCrypto.verify({ scheme, key: pub, message: new Uint8Array(0), digest, signature: s }), crypto.verify(hash, message, opensslKey, s));
      }
    }
  });
}
