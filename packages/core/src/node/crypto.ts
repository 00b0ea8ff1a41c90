/**
 * @module node/crypto
 * The node:crypto (OpenSSL) adapter of the CryptoPort. The fastest hashing and signatures
 * available on Node. When the caller already has the digest, RSA-PSS (raw RSA plus EMSA-PSS
 * encoded and checked here) and ECDSA (ecdsa-prehash.ts) sign and verify with it, so an
 * image's bytes are hashed once; without one, OpenSSL's digest-sign API hashes the message.
 */
import {
  constants,
  createHash as nodeCreateHash,
  createSign,
  createVerify,
  createPrivateKey,
  createPublicKey,
  privateEncrypt,
  publicEncrypt,
  randomBytes,
  sign as nodeSign,
  verify as nodeVerify,
  type KeyObject,
} from 'node:crypto';
import type { CryptoPort, HashState, PrivateKeyMaterial, PublicKeyMaterial, SignRequest, VerifyRequest } from '../crypto/port.js';
import { signDigest, verifyDigest, type PrehashCurve } from './ecdsa-prehash.js';

// Parsing a DER key costs more than an Ed25519 signature; cache KeyObjects per key bytes.
const publicCache = new WeakMap<Uint8Array, KeyObject>();
const privateCache = new WeakMap<Uint8Array, KeyObject>();

function loadPublic(key: PublicKeyMaterial): KeyObject {
  let k = publicCache.get(key.spki);
  if (!k) {
    k = createPublicKey({ key: Buffer.from(key.spki.buffer, key.spki.byteOffset, key.spki.byteLength), format: 'der', type: 'spki' });
    publicCache.set(key.spki, k);
  }
  return k;
}

function loadPrivate(key: PrivateKeyMaterial): KeyObject {
  let k = privateCache.get(key.der);
  if (!k) {
    k = createPrivateKey({ key: Buffer.from(key.der.buffer, key.der.byteOffset, key.der.byteLength), format: 'der', type: key.container });
    privateCache.set(key.der, k);
  }
  return k;
}

const view = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
const own = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

const PSS = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } as const;

type Message = Uint8Array | readonly Uint8Array[];

function chunks(m: Message): readonly Uint8Array[] {
  return m instanceof Uint8Array ? [m] : m;
}

/** One buffer for Ed25519, which has no incremental API. */
function contiguous(m: Message): Buffer {
  if (m instanceof Uint8Array) return view(m);
  return Buffer.concat(m.map(view));
}

function digestSign(hash: string, m: Message, key: KeyObject | { key: KeyObject; padding: number; saltLength: number }): Uint8Array {
  const s = createSign(hash);
  for (const c of chunks(m)) s.update(c);
  return own(s.sign(key));
}

function digestVerify(hash: string, m: Message, key: KeyObject | { key: KeyObject; padding: number; saltLength: number }, sig: Uint8Array): boolean {
  const v = createVerify(hash);
  for (const c of chunks(m)) v.update(c);
  return v.verify(key, view(sig));
}

function mgf1Sha256(seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  const counter = new Uint8Array(4);
  for (let i = 0, o = 0; o < length; i++, o += 32) {
    counter[0] = i >>> 24; counter[1] = (i >>> 16) & 0xff; counter[2] = (i >>> 8) & 0xff; counter[3] = i & 0xff;
    const block = nodeCreateHash('sha256').update(seed).update(counter).digest();
    out.set(block.subarray(0, Math.min(32, length - o)), o);
  }
  return out;
}

/** EMSA-PSS-VERIFY (RFC 8017 §9.1.2) for SHA-256, MGF1-SHA-256, salt length 32, as bootutil checks it. */
function pssVerifyDigest(em: Uint8Array, modBits: number, digest: Uint8Array): boolean {
  const emBits = modBits - 1;
  const emLen = Math.ceil(emBits / 8);
  const hLen = 32;
  const sLen = 32;
  // publicEncrypt returns k bytes; when emLen < k the leading byte must be zero.
  const k = em.length;
  if (k > emLen) {
    if (em[0] !== 0) return false;
    em = em.subarray(k - emLen);
  }
  if (digest.length !== hLen || emLen < hLen + sLen + 2 || em[emLen - 1] !== 0xbc) return false;
  const maskedDb = em.subarray(0, emLen - hLen - 1);
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  const topBits = 8 * emLen - emBits;
  if (topBits > 0 && ((maskedDb[0] as number) >> (8 - topBits)) !== 0) return false;
  const dbMask = mgf1Sha256(h, maskedDb.length);
  const db = new Uint8Array(maskedDb.length);
  for (let i = 0; i < db.length; i++) db[i] = (maskedDb[i] as number) ^ (dbMask[i] as number);
  if (topBits > 0) db[0] = (db[0] as number) & (0xff >> topBits);
  const psLen = emLen - hLen - sLen - 2;
  for (let i = 0; i < psLen; i++) if (db[i] !== 0) return false;
  if (db[psLen] !== 0x01) return false;
  const salt = db.subarray(db.length - sLen);
  const mPrime = nodeCreateHash('sha256').update(new Uint8Array(8)).update(digest).update(salt).digest();
  for (let i = 0; i < hLen; i++) if (mPrime[i] !== h[i]) return false;
  return true;
}

/** EMSA-PSS-ENCODE (RFC 8017 §9.1.1) of a SHA-256 digest with a fresh 32-byte salt, k bytes long. */
function pssEncodeDigest(digest: Uint8Array, modBits: number): Uint8Array {
  const emBits = modBits - 1;
  const emLen = Math.ceil(emBits / 8);
  const hLen = 32;
  const salt = own(randomBytes(32));
  const h = own(nodeCreateHash('sha256').update(new Uint8Array(8)).update(digest).update(salt).digest());
  const db = new Uint8Array(emLen - hLen - 1);
  db[db.length - salt.length - 1] = 0x01;
  db.set(salt, db.length - salt.length);
  const mask = mgf1Sha256(h, db.length);
  for (let i = 0; i < db.length; i++) db[i] = (db[i] as number) ^ (mask[i] as number);
  db[0] = (db[0] as number) & (0xff >> (8 * emLen - emBits));
  const k = Math.ceil(modBits / 8);
  const em = new Uint8Array(k);
  em.set(db, k - emLen);
  em.set(h, k - hLen - 1);
  em[k - 1] = 0xbc;
  return em;
}

function rsaSign(request: SignRequest, key: KeyObject): Uint8Array {
  const modBits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (request.digest?.length === 32 && modBits >= 1024) {
    return own(privateEncrypt({ key, padding: constants.RSA_NO_PADDING }, pssEncodeDigest(request.digest, modBits)));
  }
  return digestSign('sha256', request.message, { key, ...PSS });
}

function rsaVerify(request: VerifyRequest, key: KeyObject): boolean {
  const modBits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (request.digest !== undefined && modBits > 0) {
    if (request.signature.length !== Math.ceil(modBits / 8)) return false;
    const em = own(publicEncrypt({ key, padding: constants.RSA_NO_PADDING }, view(request.signature)));
    return pssVerifyDigest(em, modBits, request.digest);
  }
  return digestVerify('sha256', request.message, { key, ...PSS }, request.signature);
}

/** Scalar d (private) or point 04‖x‖y (public) of an EC key, from its JWK form; cached per key. */
const ecScalars = new WeakMap<KeyObject, Uint8Array>();
const ecPoints = new WeakMap<KeyObject, Uint8Array>();
const fromB64url = (s: string | undefined): Uint8Array => own(Buffer.from(s ?? '', 'base64url'));

function ecScalar(key: KeyObject): Uint8Array {
  let d = ecScalars.get(key);
  if (!d) {
    d = fromB64url(key.export({ format: 'jwk' }).d);
    ecScalars.set(key, d);
  }
  return d;
}

function ecPoint(key: KeyObject): Uint8Array {
  let q = ecPoints.get(key);
  if (!q) {
    const jwk = key.export({ format: 'jwk' });
    q = Uint8Array.from([0x04, ...fromB64url(jwk.x), ...fromB64url(jwk.y)]);
    ecPoints.set(key, q);
  }
  return q;
}

/** The curve whose prehash path applies: the digest given is the scheme hash's length. */
function prehashCurve(scheme: SignRequest['scheme'], digest: Uint8Array | undefined): PrehashCurve | null {
  if (scheme === 'ecdsa-p256' && digest?.length === 32) return 'prime256v1';
  if (scheme === 'ecdsa-p384' && digest?.length === 48) return 'secp384r1';
  return null;
}

/** The curve and private scalar of an ECDSA key for `scheme`; null for any other key. */
export function ecdsaScalarOf(scheme: SignRequest['scheme'], material: PrivateKeyMaterial): { curve: PrehashCurve; d: Uint8Array } | null {
  const curve = scheme === 'ecdsa-p256' ? 'prime256v1' : scheme === 'ecdsa-p384' ? 'secp384r1' : null;
  const key = curve === null ? null : loadPrivate(material);
  if (curve === null || key === null || key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== curve) return null;
  return { curve, d: ecScalar(key) };
}

/** Whether `verify` judges this scheme from the digest alone (the message is not needed). */
export function canVerifyDigest(scheme: SignRequest['scheme'], digestLength: number): boolean {
  if (scheme === 'ed25519') return true;
  if (scheme === 'rsa-pss') return digestLength === 32;
  return prehashCurve(scheme, new Uint8Array(digestLength)) !== null;
}

function hashFor(scheme: SignRequest['scheme']): string | null {
  switch (scheme) {
    case 'ecdsa-p256':
    case 'rsa-pss':
      return 'sha256';
    case 'ecdsa-p384':
      return 'sha384';
    case 'ed25519':
      return null;
  }
}

function assertKeyFits(scheme: SignRequest['scheme'], key: KeyObject): void {
  const t = key.asymmetricKeyType;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const ok =
    (scheme === 'ed25519' && t === 'ed25519') ||
    (scheme === 'rsa-pss' && t === 'rsa') ||
    (scheme === 'ecdsa-p256' && t === 'ec' && curve === 'prime256v1') ||
    (scheme === 'ecdsa-p384' && t === 'ec' && curve === 'secp384r1');
  if (!ok) throw new TypeError(`sign: a ${t ?? 'unknown'}${curve ? ` (${curve})` : ''} key cannot make ${scheme} signatures`);
}

/** The node:crypto CryptoPort. */
export const nodeCrypto: CryptoPort = {
  createHash(algorithm) {
    const h = nodeCreateHash(algorithm);
    const state: HashState = {
      update(chunk) {
        h.update(chunk);
        return state;
      },
      digest: () => own(h.digest()),
    };
    return state;
  },
  sign(request) {
    const key = loadPrivate(request.key);
    assertKeyFits(request.scheme, key);
    const hash = hashFor(request.scheme);
    if (request.scheme === 'rsa-pss') return rsaSign(request, key);
    if (hash === null) return own(nodeSign(null, contiguous(request.message), key));
    const curve = prehashCurve(request.scheme, request.digest);
    if (curve !== null && request.digest !== undefined) return signDigest(curve, ecScalar(key), request.digest);
    return digestSign(hash, request.message, key);
  },
  verify(request) {
    let key: KeyObject;
    try {
      key = loadPublic(request.key);
    } catch {
      return false;
    }
    try {
      if (request.scheme === 'rsa-pss') return key.asymmetricKeyType === 'rsa' && rsaVerify(request, key);
      const hash = hashFor(request.scheme);
      if (hash === null) return nodeVerify(null, contiguous(request.message), key, view(request.signature));
      const curve = prehashCurve(request.scheme, request.digest);
      if (curve !== null && request.digest !== undefined && key.asymmetricKeyDetails?.namedCurve === curve) {
        return verifyDigest(curve, ecPoint(key), request.digest, request.signature);
      }
      return digestVerify(hash, request.message, key, request.signature);
    } catch {
      // OpenSSL throws on structurally broken signatures (bad DER); that is a failed verification.
      return false;
    }
  },
  publicKeyOf(key) {
    return own(createPublicKey(loadPrivate(key)).export({ format: 'der', type: 'spki' }));
  },
};
