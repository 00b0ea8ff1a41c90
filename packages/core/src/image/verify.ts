/**
 * @module image/verify
 * Image verification under two explicit policies:
 *
 * - `'bootloader'` (default) judges like MCUboot's `bootutil_img_validate`
 *   (boot/bootutil/src/image_validate.c) built with a signature algorithm and
 *   MCUBOOT_USE_TLV_ALLOW_LIST: strict TLV structure (tlv.c), the hash TLV of the expected
 *   type with exact length, KEYHASH/PUBKEY selecting one of the trusted keys, the *last*
 *   checked signature deciding. Without keys it is the simulator's hash-only build.
 * - `'imgtool'` accepts exactly what `imgtool verify` (scripts/imgtool/image.py
 *   `Image.verify`) accepts: it ignores KEYHASH, the header's protected size and unknown TLVs.
 *
 * The verdict never depends on check order; the order only picks which reason a doubly broken
 * image reports. We check the hash before structural strictness so that an image whose
 * protected bytes changed reports INVALID_HASH under both policies, as imgtool does.
 */
import { bytesEqual } from '../bytes/hex.js';
import { HASH_SIZE, type CryptoPort, type HashAlgorithm, type VerifyRequest } from '../crypto/port.js';
import { ALLOWED_HASHES, hashOfTlv, maxSignatureLength, signatureTlvOf } from './algorithms.js';
import { TlvType, UNPROTECTED_ALLOW_LIST } from './constants.js';
import { parseImageHeader, type ImageHeader } from './header.js';
import { publicMaterial, publicOf, signatureSchemeOf, type ImageKey, type ImagePublicKey } from './keys.js';
import { parseImage, type ParsedImage } from './parse.js';
import type { TlvEntry } from './tlv.js';

export type VerifyPolicy = 'bootloader' | 'imgtool';

/** Why an image was rejected. imgtool's own names where it has one. */
export type VerifyFailureReason =
  | 'TRUNCATED'
  | 'MALFORMED'
  | 'INVALID_MAGIC'
  | 'INVALID_TLV_INFO_MAGIC'
  | 'PROTECTED_TLV_SIZE_MISMATCH'
  | 'TLV_OUT_OF_BOUNDS'
  | 'TLV_NOT_ALLOWED_UNPROTECTED'
  | 'IMAGE_TOO_LARGE'
  | 'MISSING_HASH'
  | 'INVALID_HASH'
  | 'KEY_MISMATCH'
  | 'KEYHASH_MISMATCH'
  | 'INVALID_SIGNATURE';

export interface VerifiedSignature {
  /** Index into the `keys` given to verifyImage. */
  readonly keyIndex: number;
  readonly tlvType: number;
  /** True when the signature covers the hashed region itself (SIG_PURE). */
  readonly pure: boolean;
}

export type VerifyResult =
  | {
      readonly ok: true;
      readonly policy: VerifyPolicy;
      readonly header: ImageHeader;
      readonly hashAlgorithm: HashAlgorithm;
      readonly digest: Uint8Array;
      /** null when verified without keys (hash only). */
      readonly signature: VerifiedSignature | null;
      readonly image: ParsedImage;
    }
  | {
      readonly ok: false;
      readonly policy: VerifyPolicy;
      readonly reason: VerifyFailureReason;
      readonly detail: string;
      readonly header: ImageHeader | null;
    };

export interface VerifyOptions {
  readonly crypto: CryptoPort;
  /** Trusted keys (public or private; only the public half is used). None: hash only. */
  readonly keys?: ImageKey | readonly ImageKey[];
  readonly policy?: VerifyPolicy;
  /**
   * Bootloader policy only: the image hash the bootloader was built for (MCUBOOT_SHA512,
   * P-384 builds). Default: the algorithm of the image's first hash TLV.
   */
  readonly hashAlgorithm?: HashAlgorithm;
  /**
   * Bootloader policy only: the slot's maximum image size (bootutil_max_image_size); the end of
   * the unprotected TLV area must not lie beyond it. Default: no limit.
   */
  readonly maxImageSize?: number;
}

const SIGNATURE_TLVS: ReadonlySet<number> = new Set([TlvType.RSA2048_PSS, TlvType.ECDSA_SIG, TlvType.RSA3072_PSS, TlvType.ED25519]);

class Digests {
  private readonly cache = new Map<HashAlgorithm, Uint8Array>();
  private readonly crypto: CryptoPort;
  private readonly region: Uint8Array;
  constructor(crypto: CryptoPort, region: Uint8Array) {
    this.crypto = crypto;
    this.region = region;
  }
  get(alg: HashAlgorithm): Uint8Array {
    let d = this.cache.get(alg);
    if (!d) {
      d = this.crypto.createHash(alg).update(this.region).digest();
      this.cache.set(alg, d);
    }
    return d;
  }
}

function keysOf(keys: VerifyOptions['keys']): ImagePublicKey[] {
  if (keys === undefined) return [];
  return (Array.isArray(keys) ? (keys as readonly ImageKey[]) : [keys as ImageKey]).map(publicOf);
}

function checkSignature(crypto: CryptoPort, key: ImagePublicKey, sig: Uint8Array, region: Uint8Array, digest: Uint8Array, pure: boolean): boolean {
  const scheme = signatureSchemeOf(key.type);
  if (scheme === null) return false;
  if (scheme === 'ed25519') {
    // imgtool signs the digest bytes with Ed25519, or the whole region when pure.
    return crypto.verify({ scheme, key: publicMaterial(key), message: pure ? region : digest, signature: sig });
  }
  return crypto.verify({ scheme, key: publicMaterial(key), message: region, digest, signature: scheme === 'rsa-pss' ? sig : derPrefix(sig) });
}

/**
 * An ECDSA TLV may carry zero padding after the DER signature (imgtool --pad-sig, MCUboot < 1.5);
 * bootutil parses only the DER length, so the verifier sees just the SEQUENCE.
 */
function derPrefix(sig: Uint8Array): Uint8Array {
  if (sig.length < 2 || sig[0] !== 0x30) return sig;
  const l = sig[1] as number;
  if (l < 0x80) return sig.subarray(0, Math.min(sig.length, 2 + l));
  if (l === 0x81 && sig.length >= 3) return sig.subarray(0, Math.min(sig.length, 3 + (sig[2] as number)));
  return sig;
}

/** Verifies an image held in memory. Never throws on image content. */
export function verifyImage(bytes: Uint8Array, options: VerifyOptions): VerifyResult {
  const policy = options.policy ?? 'bootloader';
  const keys = keysOf(options.keys);
  const parsed = parseImage(bytes, { lenient: true });
  if (!parsed.ok) {
    const h = parseImageHeader(bytes);
    return { ok: false, policy, reason: parsed.reason, detail: parsed.detail, header: h.ok ? h.header : null };
  }
  const image = parsed.image;
  const region = bytes.subarray(0, image.hashedRegion.length);
  const ahead = speculate(options.crypto, image, keys, options.hashAlgorithm);
  const crypto = ahead?.crypto ?? options.crypto;
  try {
    const digests = new Digests(crypto, region);
    return policy === 'imgtool' ? verifyLikeImgtool(image, region, digests, keys, crypto) : verifyLikeBootloader(image, region, digests, keys, { ...options, crypto });
  } finally {
    ahead?.settle();
  }
}

/**
 * With a port that can check a signature on another thread (CryptoPort.verifyAhead), start on
 * the one signature this verification will check, over the digest its hash TLV claims, while
 * this thread hashes. The verdict answers only the identical request (scheme, key, signature,
 * digest), which is made only once the real digest equals the claim: the outcome is unchanged.
 */
function speculate(crypto: CryptoPort, image: ParsedImage, keys: readonly ImagePublicKey[], alg: HashAlgorithm | undefined): { crypto: CryptoPort; settle(): void } | null {
  const key = keys[0];
  if (crypto.verifyAhead === undefined || keys.length !== 1 || key === undefined) return null;
  const scheme = signatureSchemeOf(key.type);
  const tlvs = image.unprotectedTlvs;
  const hashTlv = tlvs.find((t) => hashOfTlv(t.type) !== null);
  const sigTlvs = tlvs.filter((t) => t.type === signatureTlvOf(key.type));
  const sigTlv = sigTlvs[0];
  if (scheme === null || hashTlv === undefined || sigTlv === undefined || sigTlvs.length !== 1) return null;
  const hashAlg = hashOfTlv(hashTlv.type) as HashAlgorithm;
  if ((alg !== undefined && alg !== hashAlg) || hashTlv.len !== HASH_SIZE[hashAlg] || tlvs.some((t) => t.type === TlvType.SIG_PURE)) return null;
  const claimed = hashTlv.value;
  const signature = scheme === 'rsa-pss' ? sigTlv.value : derPrefix(sigTlv.value);
  const material = publicMaterial(key);
  const join = crypto.verifyAhead({ scheme, key: material, digest: claimed, signature });
  if (join === null) return null;
  let verdict: boolean | null = null;
  const settle = (): boolean => (verdict ??= join());
  const answers = (req: VerifyRequest): boolean =>
    req.scheme === scheme &&
    bytesEqual(req.key.spki, material.spki) &&
    bytesEqual(req.signature, signature) &&
    (scheme === 'ed25519'
      ? req.message instanceof Uint8Array && bytesEqual(req.message, claimed)
      : req.digest !== undefined && bytesEqual(req.digest, claimed));
  return {
    crypto: {
      createHash: (a) => crypto.createHash(a),
      sign: (r) => crypto.sign(r),
      publicKeyOf: (k) => crypto.publicKeyOf(k),
      verify: (req) => (answers(req) ? settle() : crypto.verify(req)),
    },
    settle: () => void settle(),
  };
}

/** imgtool 2.4.0 `Image.verify`: walk the unprotected TLVs in order and stop at the first verdict. */
function verifyLikeImgtool(image: ParsedImage, region: Uint8Array, digests: Digests, keys: ImagePublicKey[], crypto: CryptoPort): VerifyResult {
  const policy = 'imgtool';
  const header = image.header;
  const fail = (reason: VerifyFailureReason, detail: string): VerifyResult => ({ ok: false, policy, reason, detail, header });
  const pure = image.unprotectedTlvs.some((t) => t.type === TlvType.SIG_PURE);
  const first = keys[0];
  let digest: Uint8Array | null = null;
  let alg: HashAlgorithm | null = null;
  for (const tlv of image.unprotectedTlvs) {
    const h = hashOfTlv(tlv.type);
    if (h !== null) {
      if (first && !ALLOWED_HASHES[first.type].includes(h)) return fail('KEY_MISMATCH', `a ${first.type} key does not go with a ${h} image hash`);
      alg = h;
      digest = digests.get(h);
      if (!bytesEqual(digest, tlv.value)) return fail('INVALID_HASH', `the ${h} TLV at 0x${tlv.offset.toString(16)} does not match the hashed region`);
      if (!first) return { ok: true, policy, header, hashAlgorithm: h, digest, signature: null, image };
      continue;
    }
    if (first && tlv.type === signatureTlvOf(first.type)) {
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i] as ImagePublicKey;
        if (signatureTlvOf(k.type) !== tlv.type) continue;
        if (checkSignature(crypto, k, tlv.value, region, digest ?? new Uint8Array(0), pure)) {
          return { ok: true, policy, header, hashAlgorithm: alg ?? 'sha256', digest: digest ?? new Uint8Array(0), signature: { keyIndex: i, tlvType: tlv.type, pure }, image };
        }
      }
    }
  }
  if (alg === null) return fail('MISSING_HASH', 'the unprotected TLV area has no SHA256/SHA384/SHA512 TLV');
  return fail('INVALID_SIGNATURE', 'no signature TLV verifies with the given key');
}

function verifyLikeBootloader(image: ParsedImage, region: Uint8Array, digests: Digests, keys: ImagePublicKey[], options: VerifyOptions): VerifyResult {
  const policy = 'bootloader';
  const header = image.header;
  const crypto = options.crypto;
  const fail = (reason: VerifyFailureReason, detail: string): VerifyResult => ({ ok: false, policy, reason, detail, header });
  const tlvs = image.unprotectedTlvs;

  const firstHash = tlvs.find((t) => hashOfTlv(t.type) !== null);
  const alg = options.hashAlgorithm ?? (firstHash ? hashOfTlv(firstHash.type) : null);
  if (alg === null) return fail('MISSING_HASH', 'the unprotected TLV area has no SHA256/SHA384/SHA512 TLV');
  const usable = keys.map((k, index) => ({ k, index })).filter(({ k }) => ALLOWED_HASHES[k.type].includes(alg));
  if (keys.length > 0 && usable.length === 0) {
    return fail('KEY_MISMATCH', `none of the trusted keys (${keys.map((k) => k.type).join(', ')}) goes with a ${alg} image hash`);
  }

  // Every hash TLV of the expected type must have the exact length and match (image_validate.c).
  // DEVIATION: a MCUBOOT_SIGN_PURE build skips the digest of a SIG_PURE image; we check it, as
  // imgtool writes and checks it too (vector neg-ed25519-pure-flip-body expects INVALID_HASH).
  const expected = tlvs.filter((t) => hashOfTlv(t.type) === alg);
  if (expected.length === 0) return fail('MISSING_HASH', `the image has no ${alg} hash TLV`);
  const digest = digests.get(alg);
  for (const t of expected) {
    if (t.len !== HASH_SIZE[alg] || !bytesEqual(t.value, digest)) {
      return fail('INVALID_HASH', `the ${alg} TLV at 0x${t.offset.toString(16)} does not match the hashed region`);
    }
  }

  // Structure that tlv.c rejects but imgtool tolerates.
  const issue = image.issues[0];
  if (issue) return fail(issue.reason, issue.detail);
  if (options.maxImageSize !== undefined && image.tlvEnd > options.maxImageSize) {
    return fail('IMAGE_TOO_LARGE', `the image ends at 0x${image.tlvEnd.toString(16)}, beyond the slot's maximum image size 0x${options.maxImageSize.toString(16)}`);
  }
  const pureTlv = tlvs.find((t) => t.type === TlvType.SIG_PURE);
  for (const t of tlvs) {
    if (!UNPROTECTED_ALLOW_LIST.has(t.type)) {
      return fail('TLV_NOT_ALLOWED_UNPROTECTED', `TLV 0x${t.type.toString(16)} at 0x${t.offset.toString(16)} is not allowed in the unprotected area (MCUBOOT_USE_TLV_ALLOW_LIST)`);
    }
  }
  if (pureTlv && (pureTlv.len !== 1 || pureTlv.value[0] !== 1)) return fail('MALFORMED', 'SIG_PURE TLV must be one byte of value 0x01');
  const pure = pureTlv !== undefined;

  if (keys.length === 0) return { ok: true, policy, header, hashAlgorithm: alg, digest, signature: null, image };

  let selected: { k: ImagePublicKey; index: number } | null = null;
  let sawKeyTlv = false;
  let last: { ok: boolean; index: number; tlv: TlvEntry } | null = null;
  for (const t of tlvs) {
    if (t.type === TlvType.KEYHASH) {
      sawKeyTlv = true;
      // bootutil_find_key: the stored hash may not be longer than the digest; prefix compare.
      if (t.len > HASH_SIZE[alg]) return fail('MALFORMED', `KEYHASH of ${t.len} bytes is longer than a ${alg} digest`);
      selected = usable.find(({ k }) => bytesEqual(crypto.createHash(alg).update(k.imgtoolDer).digest().subarray(0, t.len), t.value)) ?? null;
    } else if (t.type === TlvType.PUBKEY) {
      sawKeyTlv = true;
      selected = usable.find(({ k }) => bytesEqual(k.imgtoolDer, t.value)) ?? null;
    } else if (SIGNATURE_TLVS.has(t.type)) {
      if (selected === null || signatureTlvOf(selected.k.type) !== t.type) continue;
      const limit = maxSignatureLength(selected.k.type);
      if (limit.exact ? t.len !== limit.length : t.len > limit.length) {
        return fail('INVALID_SIGNATURE', `signature TLV 0x${t.type.toString(16)} has length ${t.len}, expected ${limit.exact ? '' : 'at most '}${limit.length}`);
      }
      last = { ok: checkSignature(crypto, selected.k, t.value, region, digest, pure), index: selected.index, tlv: t };
      selected = null;
    }
  }
  if (last?.ok) return { ok: true, policy, header, hashAlgorithm: alg, digest, signature: { keyIndex: last.index, tlvType: last.tlv.type, pure }, image };
  if (last) return fail('INVALID_SIGNATURE', `the signature TLV at 0x${last.tlv.offset.toString(16)} does not verify with trusted key #${last.index}`);
  if (!sawKeyTlv) return fail('INVALID_SIGNATURE', 'the image has no KEYHASH or PUBKEY TLV, so no signature can be checked');
  // No signature was checked because no key TLV named a trusted key. Say whether the
  // signature itself is by a trusted key (a corrupted KEYHASH) or not (a foreign signer).
  for (const t of tlvs) {
    if (!SIGNATURE_TLVS.has(t.type)) continue;
    for (const { k, index } of usable) {
      if (signatureTlvOf(k.type) === t.type && checkSignature(crypto, k, t.value, region, digest, pure)) {
        return fail('KEYHASH_MISMATCH', `the KEYHASH/PUBKEY TLV does not name a trusted key, although the signature is by trusted key #${index}`);
      }
    }
  }
  return fail('INVALID_SIGNATURE', 'no KEYHASH/PUBKEY TLV names a trusted key, and no signature verifies with one');
}
