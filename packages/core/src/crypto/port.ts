/**
 * @module crypto/port
 * The crypto port the image module signs, verifies and hashes through (STYLE.md §4.4).
 * Synchronous and small: incremental SHA-2, and sign/verify for the signature schemes MCUboot
 * knows (ECDSA P-256/P-384 with DER signatures, Ed25519, RSA-PSS). Key material crosses the
 * port as DER bytes; parsing PEM and deriving imgtool's public-key encodings is pure code in
 * image/keys.ts. Encryption has its own port (not here).
 */

export type HashAlgorithm = 'sha256' | 'sha384' | 'sha512';
/** SHA-1 is only for imgtool's UUIDv5 names (--vid/--cid), never for image integrity. */
export type DigestAlgorithm = HashAlgorithm | 'sha1';

/** Digest length in bytes per algorithm. */
export const HASH_SIZE: Readonly<Record<HashAlgorithm, number>> = { sha256: 32, sha384: 48, sha512: 64 };

/** An incremental hash: feed chunks with `update`, then `digest` once. */
export interface HashState {
  update(chunk: Uint8Array): HashState;
  digest(): Uint8Array;
}

/**
 * Signature schemes as MCUboot uses them:
 * - `ecdsa-p256` / `ecdsa-p384`: ECDSA over SHA-256 / SHA-384 of the message, DER signature.
 * - `rsa-pss`: RSASSA-PSS, SHA-256, MGF1-SHA-256, 32-byte salt (2048 or 3072-bit key).
 * - `ed25519`: Ed25519 over the message bytes as given (imgtool passes the image digest, or the
 *   whole hashed region for pure signatures).
 */
export type SignatureScheme = 'ecdsa-p256' | 'ecdsa-p384' | 'rsa-pss' | 'ed25519';

/** A public key as SubjectPublicKeyInfo DER (for every key type, RSA included). */
export interface PublicKeyMaterial {
  readonly spki: Uint8Array;
}

/** A private key as DER in the container it came in; the port decides how to load it. */
export interface PrivateKeyMaterial {
  readonly der: Uint8Array;
  readonly container: 'pkcs8' | 'pkcs1' | 'sec1';
}

export interface SignRequest {
  readonly scheme: SignatureScheme;
  readonly key: PrivateKeyMaterial;
  /**
   * The signed message (for ECDSA/RSA-PSS the adapter hashes it with the scheme's hash). May be
   * given as consecutive chunks, so an image need not be copied into one buffer to be signed.
   */
  readonly message: Uint8Array | readonly Uint8Array[];
  /**
   * The scheme hash of `message` when the caller already has it. Adapters that can sign a
   * prehashed digest use it and skip re-hashing; others ignore it. Ignored for Ed25519.
   */
  readonly digest?: Uint8Array;
}

export interface VerifyRequest extends Omit<SignRequest, 'key'> {
  readonly key: PublicKeyMaterial;
  readonly signature: Uint8Array;
}

export interface CryptoPort {
  createHash(algorithm: DigestAlgorithm): HashState;
  /** Signs; throws only on misuse (wrong key type for the scheme). */
  sign(request: SignRequest): Uint8Array;
  /** True iff the signature verifies. Malformed signatures or keys yield false, never a throw. */
  verify(request: VerifyRequest): boolean;
  /** SubjectPublicKeyInfo DER of the public half of a private key. */
  publicKeyOf(key: PrivateKeyMaterial): Uint8Array;
  /**
   * Optional: starts verifying a signature over a digest the caller expects to compute (an
   * image's hash TLV) while the caller hashes; the returned function waits for the verdict.
   * For Ed25519 the digest is the message. Null when it cannot start now (busy, not ready).
   * Adapters with a second thread implement it; the verdict equals `verify`'s.
   */
  verifyAhead?(request: AheadRequest): (() => boolean) | null;
  /**
   * Optional: prepares the digest-independent half of a signature (an ECDSA nonce and its
   * point) while the caller hashes; `finish(digest)` completes the signature over that digest
   * (the scheme's hash of the message), `finish(null)` releases it unused. Null when it cannot
   * start now or the scheme has no such half; `finish` may return null, and then `sign` does.
   */
  signAhead?(request: SignAheadRequest): ((digest: Uint8Array | null) => Uint8Array | null) | null;
}

/** What `signAhead` prepares for. */
export interface SignAheadRequest {
  readonly scheme: SignatureScheme;
  readonly key: PrivateKeyMaterial;
}

/** A signature check over a known digest (see `verifyAhead`). */
export interface AheadRequest {
  readonly scheme: SignatureScheme;
  readonly key: PublicKeyMaterial;
  readonly digest: Uint8Array;
  readonly signature: Uint8Array;
}

/** One-shot convenience over `createHash`. */
export function hashBytes(crypto: CryptoPort, algorithm: DigestAlgorithm, ...chunks: readonly Uint8Array[]): Uint8Array {
  const h = crypto.createHash(algorithm);
  for (const c of chunks) h.update(c);
  return h.digest();
}
