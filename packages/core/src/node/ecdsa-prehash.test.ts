/**
 * ECDSA over a digest (ecdsa-prehash.ts) against OpenSSL: every signature we make verifies with
 * OpenSSL over the message, and our verifier agrees with OpenSSL on OpenSSL's signatures and on
 * every mutation of them; the curve constants are the curves' own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fc from 'fast-check';
import { finishSignature, isOnCurve, randomNonce, signDigest, verifyDigest, type PrehashCurve } from './ecdsa-prehash.js';

const CASES = [
  { curve: 'prime256v1', hash: 'sha256', order: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n },
  { curve: 'secp384r1', hash: 'sha384', order: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n },
] as const;

function keyPair(curve: PrehashCurve): { privateKey: crypto.KeyObject; publicKey: crypto.KeyObject; d: Uint8Array; q: Uint8Array } {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: curve });
  const jwk = privateKey.export({ format: 'jwk' });
  const b = (s: string | undefined): Buffer => Buffer.from(s ?? '', 'base64url');
  return { privateKey, publicKey, d: new Uint8Array(b(jwk.d)), q: new Uint8Array(Buffer.concat([Buffer.from([4]), b(jwk.x), b(jwk.y)])) };
}

for (const { curve, hash, order } of CASES) {
  const { privateKey, publicKey, d, q } = keyPair(curve);
  const digestOf = (m: Uint8Array): Uint8Array => new Uint8Array(crypto.createHash(hash).update(m).digest());

  test(`${curve}: the generator and its negation lie on the curve; the order annihilates it`, () => {
    const ecdh = crypto.createECDH(curve);
    const size = curve === 'prime256v1' ? 32 : 48;
    const point = (k: bigint): [bigint, bigint] => {
      ecdh.setPrivateKey(Buffer.from(k.toString(16).padStart(2 * size, '0'), 'hex'));
      const p = ecdh.getPublicKey();
      return [BigInt('0x' + p.subarray(1, 1 + size).toString('hex')), BigInt('0x' + p.subarray(1 + size).toString('hex'))];
    };
    const [gx, gy] = point(1n);
    const [nx, ny] = point(order - 1n);
    assert.ok(isOnCurve(curve, gx, gy));
    assert.ok(isOnCurve(curve, nx, ny));
    assert.equal(nx, gx);
    assert.notEqual(ny, gy);
    assert.ok(!isOnCurve(curve, gx, gy + 1n));
    assert.throws(() => point(order), 'the order itself is not a private key');
  });

  test(`${curve}: our signatures over the digest verify with OpenSSL over the message`, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (m) => {
        const sig = signDigest(curve, d, digestOf(m));
        assert.ok(crypto.verify(hash, m, publicKey, sig));
        assert.ok(!crypto.verify(hash, Uint8Array.from([...m, 0]), publicKey, sig));
      }),
      { numRuns: 60 },
    );
  });

  test(`${curve}: a nonce made before the digest gives signatures OpenSSL accepts`, () => {
    for (let i = 0; i < 20; i++) {
      const m = crypto.randomBytes(i * 13);
      const sig = finishSignature(curve, d, digestOf(m), randomNonce(curve));
      assert.ok(sig !== null && crypto.verify(hash, m, publicKey, sig));
    }
  });

  test(`${curve}: our verifier agrees with OpenSSL on its signatures and their mutations`, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(), fc.integer({ min: 0, max: 7 }), fc.boolean(), (m, at, bit, mutate) => {
        const sig = new Uint8Array(crypto.sign(hash, m, privateKey));
        const digest = digestOf(m);
        assert.equal(verifyDigest(curve, q, digest, sig), true);
        const bad = Uint8Array.from(sig);
        if (mutate) bad[at % bad.length] = (bad[at % bad.length] as number) ^ (1 << bit);
        assert.equal(verifyDigest(curve, q, digest, bad), crypto.verify(hash, m, publicKey, bad));
        const otherDigest = Uint8Array.from(digest);
        otherDigest[at % digest.length] = (otherDigest[at % digest.length] as number) ^ (1 << bit);
        assert.equal(verifyDigest(curve, q, otherDigest, sig), false);
      }),
      { numRuns: 80 },
    );
  });

  test(`${curve}: signatures OpenSSL refuses as DER are refused`, () => {
    const m = crypto.randomBytes(40);
    const sig = new Uint8Array(crypto.sign(hash, m, privateKey));
    const digest = digestOf(m);
    const variants: Uint8Array[] = [
      Uint8Array.from([...sig, 0]), // trailing byte
      Uint8Array.from([0x30, 0x81, sig[1] as number, ...sig.subarray(2)]), // non-minimal length
      sig.subarray(0, sig.length - 1), // truncated
      Uint8Array.from([0x31, ...sig.subarray(1)]), // SET, not SEQUENCE
    ];
    for (const v of variants) {
      assert.equal(verifyDigest(curve, q, digest, v), false);
      assert.equal(crypto.verify(hash, m, publicKey, v), false);
    }
    // r = 0, s = 0 and r = n are outside [1, n-1].
    const der = (r: bigint, s: bigint): Uint8Array => {
      const int = (v: bigint): number[] => {
        let h = v.toString(16);
        if (h.length % 2) h = '0' + h;
        const bytes = [...Buffer.from(h, 'hex')];
        if ((bytes[0] as number) & 0x80) bytes.unshift(0);
        return [2, bytes.length, ...bytes];
      };
      const body = [...int(r), ...int(s)];
      return Uint8Array.from([0x30, body.length, ...body]);
    };
    for (const [r, s] of [[0n, 1n], [1n, 0n], [order, 1n], [1n, order]] as const) assert.equal(verifyDigest(curve, q, digest, der(r, s)), false);
  });

  test(`${curve}: a public key off the curve or cut short is refused, not thrown`, () => {
    const m = crypto.randomBytes(10);
    const sig = new Uint8Array(crypto.sign(hash, m, privateKey));
    const offCurve = Uint8Array.from(q);
    offCurve[offCurve.length - 1] = (offCurve[offCurve.length - 1] as number) ^ 1;
    assert.equal(verifyDigest(curve, offCurve, digestOf(m), sig), false);
    assert.equal(verifyDigest(curve, q.subarray(0, q.length - 1), digestOf(m), sig), false);
  });
}
