/**
 * @module crypto/enc-port
 * The primitives image encryption needs (MCUboot `docs/encrypted_images.md`, imgtool
 * `image.py: create` with `--encrypt`): ECDH on P-256 and X25519, HKDF and HMAC with SHA-256 or
 * SHA-512, AES-CTR, AES key wrap (RFC 3394), RSA-OAEP, and fresh random bytes. The pure core only describes them; the
 * node:crypto adapter lives in `node/enc-crypto.ts`. Keys cross this port as raw bytes
 * (scalars, points) or DER, never as platform key objects, so the core stays portable.
 */

/** The curves ECIES key agreement runs on. */
export type EcdhCurve = 'p256' | 'x25519';

/** The hash behind HKDF and HMAC in ECIES (`--hmac-sha`). */
export type EncHash = 'sha256' | 'sha512';

/** An ephemeral key pair: `privateKey` is the raw scalar (32 bytes); `publicKey` is the
 * 65-byte uncompressed point `04||X||Y` for P-256, the 32-byte u-coordinate for X25519. */
export interface EcdhKeyPair {
  readonly privateKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** The encryption crypto port. Every method is synchronous and deterministic except
 * `randomBytes` and `generateKeyPair`, the only sources of randomness in encryption. */
export interface EncCrypto {
  /** `length` bytes from a cryptographically secure source. */
  randomBytes(length: number): Uint8Array;
  /** A fresh key pair on `curve`. */
  generateKeyPair(curve: EcdhCurve): EcdhKeyPair;
  /** The public key belonging to a raw private scalar. */
  publicKeyOf(curve: EcdhCurve, privateKey: Uint8Array): Uint8Array;
  /** The ECDH shared secret (32 bytes: the X coordinate for P-256, the X25519 output). */
  ecdh(curve: EcdhCurve, privateKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array;
  /** HKDF (RFC 5869); an empty `salt` means "no salt" (hash-length zeros). */
  hkdf(hash: EncHash, ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array;
  /** HMAC of `data` under `key`. */
  hmac(hash: EncHash, key: Uint8Array, data: Uint8Array): Uint8Array;
  /** AES-CTR (key of 16 or 32 bytes) with a 16-byte initial counter block incremented
   * big-endian per block; encryption and decryption are the same operation. */
  aesCtr(key: Uint8Array, counter: Uint8Array, data: Uint8Array): Uint8Array;
  /** AES key wrap (RFC 3394, default IV) of `key` under the 16- or 32-byte `kek`. */
  aesKeyWrap(kek: Uint8Array, key: Uint8Array): Uint8Array;
  /** AES key unwrap (RFC 3394); undefined when the integrity check fails (wrong KEK). */
  aesKeyUnwrap(kek: Uint8Array, wrapped: Uint8Array): Uint8Array | undefined;
  /** RSA-OAEP encryption, SHA-256 and MGF1-SHA-256, empty label. `publicKeyDer` is PKCS#1
   * RSAPublicKey or SubjectPublicKeyInfo DER. */
  rsaOaepEncrypt(publicKeyDer: Uint8Array, data: Uint8Array): Uint8Array;
  /** RSA-OAEP decryption (same parameters); `privateKeyDer` is PKCS#1 or PKCS#8 DER.
   * Returns undefined when the ciphertext does not decrypt under this key. */
  rsaOaepDecrypt(privateKeyDer: Uint8Array, ciphertext: Uint8Array): Uint8Array | undefined;
}
