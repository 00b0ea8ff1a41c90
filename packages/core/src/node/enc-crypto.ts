/**
 * @module node/enc-crypto
 * The node:crypto implementation of the encryption port (`crypto/enc-port.ts`): ECDH P-256 and
 * X25519, HKDF, HMAC, AES-CTR, AES key wrap, RSA-OAEP and secure random bytes. The only place image
 * encryption touches platform crypto.
 */
import {
  constants,
  createCipheriv,
  createDecipheriv,
  createECDH,
  createHmac,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import type { EcdhCurve, EncCrypto, EncHash } from '../crypto/enc-port.js';

// DER prefixes that turn a raw X25519 key into PKCS#8 / SubjectPublicKeyInfo (RFC 8410).
const X25519_PKCS8_PREFIX = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20]);
const X25519_SPKI_PREFIX = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00]);

/** RFC 3394 default initial value. */
const KW_IV = Uint8Array.from([0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6]);

function bytes(buffer: Uint8Array | ArrayBuffer): Uint8Array {
  const view = buffer instanceof ArrayBuffer ? new Uint8Array(buffer) : buffer;
  return new Uint8Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function leftPad32(value: Uint8Array): Uint8Array {
  if (value.length >= 32) return value;
  const out = new Uint8Array(32);
  out.set(value, 32 - value.length);
  return out;
}

function x25519Private(raw: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.from(concat(X25519_PKCS8_PREFIX, raw)), format: 'der', type: 'pkcs8' });
}

function x25519PublicRaw(key: KeyObject): Uint8Array {
  const der = bytes(key.export({ format: 'der', type: 'spki' }));
  return der.subarray(der.length - 32);
}

function rsaKeyType(der: Uint8Array, kind: 'public' | 'private'): 'pkcs1' | 'spki' | 'pkcs8' {
  // A PKCS#1 key's SEQUENCE starts with an INTEGER (modulus or version 0 followed by the
  // modulus); SPKI/PKCS#8 carry an AlgorithmIdentifier SEQUENCE first (public) or second.
  const headerLength = der[1] !== undefined && der[1] & 0x80 ? 2 + (der[1] & 0x7f) : 2;
  if (kind === 'public') return der[headerLength] === 0x02 ? 'pkcs1' : 'spki';
  const afterVersion = headerLength + 3;
  return der[afterVersion] === 0x30 ? 'pkcs8' : 'pkcs1';
}

/** Creates the node:crypto implementation of the encryption port. */
export function createNodeEncCrypto(): EncCrypto {
  return {
    randomBytes: (length) => bytes(randomBytes(length)),
    generateKeyPair(curve: EcdhCurve) {
      if (curve === 'p256') {
        const ecdh = createECDH('prime256v1');
        ecdh.generateKeys();
        return { privateKey: leftPad32(bytes(ecdh.getPrivateKey())), publicKey: bytes(ecdh.getPublicKey(null, 'uncompressed')) };
      }
      const pair = generateKeyPairSync('x25519');
      const pkcs8 = bytes(pair.privateKey.export({ format: 'der', type: 'pkcs8' }));
      return { privateKey: pkcs8.subarray(pkcs8.length - 32), publicKey: x25519PublicRaw(pair.publicKey) };
    },
    publicKeyOf(curve, privateKey) {
      if (curve === 'p256') {
        const ecdh = createECDH('prime256v1');
        ecdh.setPrivateKey(privateKey);
        return bytes(ecdh.getPublicKey(null, 'uncompressed'));
      }
      return x25519PublicRaw(createPublicKey(x25519Private(privateKey)));
    },
    ecdh(curve, privateKey, peerPublicKey) {
      if (curve === 'p256') {
        const ecdh = createECDH('prime256v1');
        ecdh.setPrivateKey(privateKey);
        return leftPad32(bytes(ecdh.computeSecret(peerPublicKey)));
      }
      const publicKey = createPublicKey({ key: Buffer.from(concat(X25519_SPKI_PREFIX, peerPublicKey)), format: 'der', type: 'spki' });
      return bytes(diffieHellman({ privateKey: x25519Private(privateKey), publicKey }));
    },
    hkdf: (hash: EncHash, ikm, salt, info, length) => bytes(hkdfSync(hash, ikm, salt, info, length)),
    hmac: (hash: EncHash, key, data) => bytes(createHmac(hash, key).update(data).digest()),
    aesCtr(key, counter, data) {
      const cipher = createCipheriv(key.length === 32 ? 'aes-256-ctr' : 'aes-128-ctr', key, counter);
      return concat(bytes(cipher.update(data)), bytes(cipher.final()));
    },
    aesKeyWrap(kek, key) {
      const cipher = createCipheriv(kek.length === 32 ? 'id-aes256-wrap' : 'id-aes128-wrap', kek, KW_IV);
      return concat(bytes(cipher.update(key)), bytes(cipher.final()));
    },
    aesKeyUnwrap(kek, wrapped) {
      try {
        const decipher = createDecipheriv(kek.length === 32 ? 'id-aes256-wrap' : 'id-aes128-wrap', kek, KW_IV);
        return concat(bytes(decipher.update(wrapped)), bytes(decipher.final()));
      } catch {
        return undefined;
      }
    },
    rsaOaepEncrypt(publicKeyDer, data) {
      const key = createPublicKey({ key: Buffer.from(publicKeyDer), format: 'der', type: rsaKeyType(publicKeyDer, 'public') === 'pkcs1' ? 'pkcs1' : 'spki' });
      return bytes(publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, data));
    },
    rsaOaepDecrypt(privateKeyDer, ciphertext) {
      const key = createPrivateKey({ key: Buffer.from(privateKeyDer), format: 'der', type: rsaKeyType(privateKeyDer, 'private') === 'pkcs1' ? 'pkcs1' : 'pkcs8' });
      try {
        return bytes(privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, ciphertext));
      } catch {
        return undefined;
      }
    },
  };
}
