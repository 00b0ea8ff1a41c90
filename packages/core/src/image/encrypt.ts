/**
 * @module image/encrypt
 * Encrypted MCUboot images (spec §1.14): the AES key delivery TLVs ENC_RSA2048 (0x30),
 * ENC_EC256 (0x32, ECIES-P256), ENC_X25519 (0x33) and ENC_X25519_SHA512 (0x34), AES-CTR over
 * the payload, and decryption with the recipient's private key. Mirrors imgtool
 * `image.py: create` (`--encrypt`, `--encrypt-keylen`, `--hmac-sha`, `--clear`) and the
 * bootloader's `boot/bootutil/src/encrypted.c` (`boot_decrypt_key`). It does not build or
 * sign images (`image/sign.ts` does): it post-processes a signed image whose header already
 * carries the ENCRYPTED flag, and reads encrypted images for decryption.
 *
 * ECIES TLV value: ephemeral public key (P-256: 65-byte `04||X||Y`; X25519: 32 bytes)
 * || HMAC tag (32 or 64 bytes) || AES-CTR(kdf key, zero counter) of the image's AES key.
 * KDF: HKDF-SHA256/512, no salt, info `MCUBoot_ECIES_v1`, length keylen + hashlen.
 */
import { base64Decode } from '../bytes/base64.js';
import { concatBytes } from '../bytes/hex.js';
import { SlotwiseError } from '../errors.js';
import type { EcdhCurve, EncCrypto, EncHash } from '../crypto/enc-port.js';
import { DerError, DerTag, decodeOid, derChildren, encodeDer, readDerExact, type DerNode } from './der.js';
import { parseImage, type ParsedImage } from './parse.js';

/** ENC_* TLV type numbers (`image.h`). */
export const EncTlvType = {
  ENC_RSA2048: 0x30, // IMAGE_TLV_ENC_RSA2048
  ENC_KW: 0x31, // IMAGE_TLV_ENC_KW (produced by newt only)
  ENC_EC256: 0x32, // IMAGE_TLV_ENC_EC256
  ENC_X25519: 0x33, // IMAGE_TLV_ENC_X25519
  ENC_X25519_SHA512: 0x34, // IMAGE_TLV_ENC_X25519_SHA512
} as const;
export type EncTlvType = (typeof EncTlvType)[keyof typeof EncTlvType];

/** Header flag bits that mark an encrypted payload (`image.h`). */
export const EncFlag = {
  ENCRYPTED_AES128: 0x04, // IMAGE_F_ENCRYPTED_AES128
  ENCRYPTED_AES256: 0x08, // IMAGE_F_ENCRYPTED_AES256
} as const;

/** How the AES key reaches the device. `aes-kw` (a key-encryption key shared with the
 * bootloader, MCUBOOT_ENCRYPT_KW) is what newt and MCUboot's simulator use; imgtool cannot
 * produce it. */
export type EncScheme = 'ecies-p256' | 'ecies-x25519' | 'rsa-oaep' | 'aes-kw';

/** AES key size in bits (`--encrypt-keylen`). */
export type AesBits = 128 | 256;

/** ECIES hash (`--hmac-sha`); SHA-512 exists for X25519 only. */
export type HmacSha = 256 | 512;

/** The recipient of an encrypted image: the public half of the device's encryption key. */
export interface EncryptionRecipient {
  readonly scheme: EncScheme;
  /** Raw point (ECIES), RSA public key DER (PKCS#1 or SPKI), or the KEK itself (aes-kw). */
  readonly publicKey: Uint8Array;
}

/** The device's private encryption key. */
export interface DecryptionKey {
  readonly scheme: EncScheme;
  /** Raw scalar (ECIES, 32 bytes), RSA private key DER (PKCS#1 or PKCS#8), or the KEK (aes-kw). */
  readonly privateKey: Uint8Array;
}

const ECIES_INFO = Uint8Array.from('MCUBoot_ECIES_v1', (c) => c.charCodeAt(0));
const ZERO_COUNTER = new Uint8Array(16);

/** The TLV type that carries the key for `scheme` (and `hmacSha` for X25519). */
export function encTlvType(scheme: EncScheme, hmacSha: HmacSha = 256): EncTlvType {
  if (scheme === 'aes-kw') return EncTlvType.ENC_KW;
  if (scheme === 'rsa-oaep') return EncTlvType.ENC_RSA2048;
  if (scheme === 'ecies-p256') return EncTlvType.ENC_EC256;
  return hmacSha === 512 ? EncTlvType.ENC_X25519_SHA512 : EncTlvType.ENC_X25519;
}

/** Length of the ENC_* TLV value in bytes (spec §1.6 table). */
export function encTlvLength(scheme: EncScheme, aesBits: AesBits, hmacSha: HmacSha = 256): number {
  const keyBytes = aesBits / 8;
  if (scheme === 'aes-kw') return keyBytes + 8;
  if (scheme === 'rsa-oaep') return 256;
  if (scheme === 'ecies-p256') return 65 + 32 + keyBytes;
  return 32 + (hmacSha === 512 ? 64 : 32) + keyBytes;
}

/** The header flag for `aesBits`. */
export function encFlag(aesBits: AesBits): number {
  return aesBits === 256 ? EncFlag.ENCRYPTED_AES256 : EncFlag.ENCRYPTED_AES128;
}

function keyError(detail: string): SlotwiseError {
  return new SlotwiseError('SW_ERR_KEY_INVALID', `not a usable encryption key: ${detail}`);
}

const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';
const OID_P256 = '1.2.840.10045.3.1.7';
const OID_X25519 = '1.3.101.110';
const OID_RSA = '1.2.840.113549.1.1.1';

function schemeOfAlgorithm(algorithm: DerNode): Exclude<EncScheme, 'aes-kw'> {
  const [oid, parameter] = derChildren(algorithm);
  if (oid === undefined || oid.tag !== DerTag.OID) throw keyError('missing algorithm identifier');
  const name = decodeOid(oid.value);
  if (name === OID_RSA) return 'rsa-oaep';
  if (name === OID_X25519) return 'ecies-x25519';
  if (name === OID_EC_PUBLIC_KEY) {
    if (parameter === undefined || parameter.tag !== DerTag.OID || decodeOid(parameter.value) !== OID_P256) throw keyError('only the P-256 curve can encrypt images');
    return 'ecies-p256';
  }
  throw keyError('the key type cannot encrypt images (use an EC P-256, X25519 or RSA-2048 key)');
}

function fixedScalar(value: Uint8Array): Uint8Array {
  if (value.length === 32) return value.slice();
  if (value.length > 32) throw keyError('private scalar longer than 32 bytes');
  const out = new Uint8Array(32);
  out.set(value, 32 - value.length);
  return out;
}

/** Reads an encryption key from DER: a public key (SubjectPublicKeyInfo) gives a recipient;
 * a private key (PKCS#8, SEC1 `EC PRIVATE KEY`, PKCS#1 `RSA PRIVATE KEY`) gives both halves.
 * @throws SlotwiseError SW_ERR_KEY_INVALID for anything else. */
export function readEncryptionKey(crypto: EncCrypto, der: Uint8Array): { recipient: EncryptionRecipient; decryption?: DecryptionKey } {
  try {
    return readKey(crypto, der);
  } catch (error) {
    if (error instanceof DerError) throw keyError(error.message);
    throw error;
  }
}

function readKey(crypto: EncCrypto, der: Uint8Array): { recipient: EncryptionRecipient; decryption?: DecryptionKey } {
  const top = readDerExact(der);
  if (top.tag !== DerTag.SEQUENCE) throw keyError('not a DER SEQUENCE');
  const items = derChildren(top);
  const [first, second, third] = items;
  if (first === undefined || second === undefined) throw keyError('too few DER elements');
  // SubjectPublicKeyInfo: SEQUENCE { AlgorithmIdentifier, BIT STRING }
  if (first.tag === DerTag.SEQUENCE && second.tag === DerTag.BIT_STRING) {
    const scheme = schemeOfAlgorithm(first);
    const point = second.value.subarray(1);
    if (scheme === 'rsa-oaep') return { recipient: { scheme, publicKey: der.slice() } };
    if ((scheme === 'ecies-p256' && (point.length !== 65 || point[0] !== 4)) || (scheme === 'ecies-x25519' && point.length !== 32)) {
      throw keyError('malformed public point');
    }
    return { recipient: { scheme, publicKey: point.slice() } };
  }
  if (first.tag !== DerTag.INTEGER) throw keyError('unrecognised key structure');
  // PKCS#8: SEQUENCE { INTEGER 0, AlgorithmIdentifier, OCTET STRING privateKey }
  if (second.tag === DerTag.SEQUENCE && third !== undefined && third.tag === DerTag.OCTET_STRING) {
    const scheme = schemeOfAlgorithm(second);
    if (scheme === 'rsa-oaep') return privateRsa(der, readDerExact(third.value));
    const inner = readDerExact(third.value);
    if (scheme === 'ecies-x25519') {
      if (inner.tag !== DerTag.OCTET_STRING) throw keyError('malformed X25519 private key');
      return privateEcies(crypto, scheme, fixedScalar(inner.value));
    }
    const scalar = derChildren(inner)[1];
    if (scalar === undefined || scalar.tag !== DerTag.OCTET_STRING) throw keyError('malformed EC private key');
    return privateEcies(crypto, scheme, fixedScalar(scalar.value));
  }
  // SEC1 ECPrivateKey: SEQUENCE { INTEGER 1, OCTET STRING d, [0] curve, [1] point }
  if (second.tag === DerTag.OCTET_STRING) {
    const curve = items.find((item) => item.tag === DerTag.CONTEXT_0);
    const curveOid = curve === undefined ? undefined : derChildren(curve)[0];
    if (curveOid !== undefined && decodeOid(curveOid.value) !== OID_P256) throw keyError('only the P-256 curve can encrypt images');
    return privateEcies(crypto, 'ecies-p256', fixedScalar(second.value));
  }
  // PKCS#1 RSAPrivateKey: SEQUENCE { INTEGER 0, INTEGER n, INTEGER e, ... }
  if (second.tag === DerTag.INTEGER && items.length >= 9) return privateRsa(der, top);
  throw keyError('unrecognised key structure');
}

/** A key-encryption key for ENC_KW from the text of a base64 file (MCUboot's
 * `enc-aes128kw.b64` form): 16 or 32 bytes. It both wraps and unwraps.
 * @throws SlotwiseError SW_ERR_KEY_INVALID when it is not base64 of 16 or 32 bytes. */
export function readKeyEncryptionKey(text: string): { recipient: EncryptionRecipient; decryption: DecryptionKey } {
  let kek: Uint8Array;
  try {
    kek = base64Decode(text.trim());
  } catch {
    throw keyError('an AES-KW key file holds the key in base64');
  }
  if (kek.length !== 16 && kek.length !== 32) throw keyError(`an AES-KW key is 16 or 32 bytes, this one is ${kek.length}`);
  return { recipient: { scheme: 'aes-kw', publicKey: kek }, decryption: { scheme: 'aes-kw', privateKey: kek } };
}

function privateEcies(crypto: EncCrypto, scheme: 'ecies-p256' | 'ecies-x25519', scalar: Uint8Array): { recipient: EncryptionRecipient; decryption: DecryptionKey } {
  return { recipient: { scheme, publicKey: crypto.publicKeyOf(curveOf(scheme), scalar) }, decryption: { scheme, privateKey: scalar } };
}

/** `rsaKey` is the PKCS#1 RSAPrivateKey SEQUENCE; its public half (n, e) becomes a PKCS#1
 * RSAPublicKey. `der` (PKCS#1 or PKCS#8) is what the port decrypts with. */
function privateRsa(der: Uint8Array, rsaKey: DerNode): { recipient: EncryptionRecipient; decryption: DecryptionKey } {
  const [, n, e] = derChildren(rsaKey);
  if (n === undefined || e === undefined || n.tag !== DerTag.INTEGER || e.tag !== DerTag.INTEGER) throw keyError('malformed RSA key');
  return { recipient: { scheme: 'rsa-oaep', publicKey: encodeDer(DerTag.SEQUENCE, concatBytes(n.raw, e.raw)) }, decryption: { scheme: 'rsa-oaep', privateKey: der.slice() } };
}

function curveOf(scheme: 'ecies-p256' | 'ecies-x25519'): EcdhCurve {
  return scheme === 'ecies-p256' ? 'p256' : 'x25519';
}

function eciesHash(scheme: EncScheme, hmacSha: HmacSha): { hash: EncHash; macBytes: number } {
  return scheme === 'ecies-x25519' && hmacSha === 512 ? { hash: 'sha512', macBytes: 64 } : { hash: 'sha256', macBytes: 32 };
}

function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/** Builds the ENC_* TLV value that delivers `aesKey` to `recipient` (imgtool
 * `image.py: ecies_hkdf` + `create`). Draws the ephemeral key from the port.
 * @throws RangeError when `hmacSha` is 512 for a scheme other than X25519. */
export function wrapAesKey(crypto: EncCrypto, recipient: EncryptionRecipient, aesKey: Uint8Array, hmacSha: HmacSha = 256): Uint8Array {
  if (aesKey.length !== 16 && aesKey.length !== 32) throw new RangeError(`aesKey: expected 16 or 32 bytes, got ${aesKey.length}`);
  if (hmacSha === 512 && recipient.scheme !== 'ecies-x25519') throw new RangeError('hmacSha: SHA-512 is supported for ECIES-X25519 only');
  if (recipient.scheme === 'rsa-oaep') return crypto.rsaOaepEncrypt(recipient.publicKey, aesKey);
  if (recipient.scheme === 'aes-kw') return crypto.aesKeyWrap(recipient.publicKey, aesKey);
  const curve = curveOf(recipient.scheme);
  const { hash, macBytes } = eciesHash(recipient.scheme, hmacSha);
  const ephemeral = crypto.generateKeyPair(curve);
  const shared = crypto.ecdh(curve, ephemeral.privateKey, recipient.publicKey);
  const derived = crypto.hkdf(hash, shared, new Uint8Array(0), ECIES_INFO, aesKey.length + macBytes);
  const wrapped = crypto.aesCtr(derived.subarray(0, aesKey.length), ZERO_COUNTER, aesKey);
  const tag = crypto.hmac(hash, derived.subarray(aesKey.length), wrapped);
  return concatBytes(ephemeral.publicKey, tag, wrapped);
}

/** Why an AES key could not be recovered. */
export type UnwrapFailure = 'ENC_TLV_MALFORMED' | 'ENC_KEY_MISMATCH' | 'ENC_HMAC_MISMATCH';

/** Recovers the AES key from an ENC_* TLV (`encrypted.c: boot_decrypt_key`). */
export function unwrapAesKey(
  crypto: EncCrypto,
  key: DecryptionKey,
  tlvType: number,
  tlvValue: Uint8Array,
  aesBits: AesBits,
): { ok: true; aesKey: Uint8Array } | { ok: false; reason: UnwrapFailure; detail: string } {
  const keyBytes = aesBits / 8;
  const expectedScheme: EncScheme | undefined =
    tlvType === EncTlvType.ENC_RSA2048 ? 'rsa-oaep' : tlvType === EncTlvType.ENC_KW ? 'aes-kw' : tlvType === EncTlvType.ENC_EC256 ? 'ecies-p256' : tlvType === EncTlvType.ENC_X25519 || tlvType === EncTlvType.ENC_X25519_SHA512 ? 'ecies-x25519' : undefined;
  if (expectedScheme !== key.scheme) {
    return { ok: false, reason: 'ENC_KEY_MISMATCH', detail: `the image's key TLV 0x${tlvType.toString(16)} needs a ${expectedScheme ?? 'different'} key, got ${key.scheme}` };
  }
  const hmacSha: HmacSha = tlvType === EncTlvType.ENC_X25519_SHA512 ? 512 : 256;
  const expectedLength = encTlvLength(key.scheme, aesBits, hmacSha);
  if (tlvValue.length !== expectedLength) {
    return { ok: false, reason: 'ENC_TLV_MALFORMED', detail: `key TLV is ${tlvValue.length} bytes, expected ${expectedLength} for AES-${aesBits}` };
  }
  if (key.scheme === 'aes-kw') {
    const aesKey = crypto.aesKeyUnwrap(key.privateKey, tlvValue);
    if (aesKey === undefined || aesKey.length !== keyBytes) return { ok: false, reason: 'ENC_KEY_MISMATCH', detail: 'AES key unwrap failed its integrity check: wrong key-encryption key' };
    return { ok: true, aesKey };
  }
  if (key.scheme === 'rsa-oaep') {
    const aesKey = crypto.rsaOaepDecrypt(key.privateKey, tlvValue);
    if (aesKey === undefined || aesKey.length !== keyBytes) return { ok: false, reason: 'ENC_KEY_MISMATCH', detail: 'RSA-OAEP decryption failed: wrong key' };
    return { ok: true, aesKey };
  }
  const curve = curveOf(key.scheme);
  const { hash, macBytes } = eciesHash(key.scheme, hmacSha);
  const pointBytes = curve === 'p256' ? 65 : 32;
  const ephemeral = tlvValue.subarray(0, pointBytes);
  const tag = tlvValue.subarray(pointBytes, pointBytes + macBytes);
  const wrapped = tlvValue.subarray(pointBytes + macBytes);
  let shared: Uint8Array;
  try {
    shared = crypto.ecdh(curve, key.privateKey, ephemeral);
  } catch {
    return { ok: false, reason: 'ENC_TLV_MALFORMED', detail: 'the ephemeral public key is not a valid point' };
  }
  const derived = crypto.hkdf(hash, shared, new Uint8Array(0), ECIES_INFO, keyBytes + macBytes);
  const expectedTag = crypto.hmac(hash, derived.subarray(keyBytes), wrapped);
  if (!constantTimeEqual(expectedTag, tag)) return { ok: false, reason: 'ENC_HMAC_MISMATCH', detail: 'HMAC check failed: wrong decryption key or damaged key TLV' };
  return { ok: true, aesKey: crypto.aesCtr(derived.subarray(0, keyBytes), ZERO_COUNTER, wrapped) };
}

/** AES-CTR over an image payload, counter starting at 0 at the first payload byte. The same
 * call encrypts and decrypts. */
export function cryptPayload(crypto: EncCrypto, aesKey: Uint8Array, payload: Uint8Array): Uint8Array {
  return crypto.aesCtr(aesKey, ZERO_COUNTER, payload);
}

/** Options for `encryptSignedImage`. */
export interface EncryptOptions {
  readonly recipient: EncryptionRecipient;
  readonly aesBits: AesBits;
  readonly hmacSha?: HmacSha;
  /** `--clear`: emit flag and TLV but keep the payload in plaintext. */
  readonly clear?: boolean;
  /** A fixed AES key (tests); drawn from the port when absent. */
  readonly aesKey?: Uint8Array;
}

/** Parses an image strictly (image/parse.ts) for the encryption code.
 * @throws SlotwiseError SW_ERR_IMAGE_TRUNCATED / SW_ERR_IMAGE_MALFORMED. */
function parseStrict(image: Uint8Array): ParsedImage {
  const parsed = parseImage(image);
  if (!parsed.ok) throw new SlotwiseError(parsed.reason === 'TRUNCATED' ? 'SW_ERR_IMAGE_TRUNCATED' : 'SW_ERR_IMAGE_MALFORMED', `${parsed.reason}: ${parsed.detail}`);
  return parsed.image;
}

/** Encrypts an image that `signImage` produced with the ENCRYPTED flag set and its payload
 * zero-padded so that header + payload is a multiple of 16 (imgtool `create` steps 3, 8, 9):
 * appends the ENC_* TLV to the unprotected area and (unless `clear`) AES-CTR-encrypts the
 * payload. The input must end at its TLV area (padding to the slot comes afterwards).
 * Returns the new image and the AES key used. */
export function encryptSignedImage(crypto: EncCrypto, image: Uint8Array, options: EncryptOptions): { image: Uint8Array; aesKey: Uint8Array } {
  const parsed = parseStrict(image);
  const layout = { hdrSize: parsed.header.hdrSize, imgSize: parsed.header.imgSize, unprotectedStart: parsed.unprotectedInfo.offset, unprotectedEnd: parsed.tlvEnd };
  const flag = encFlag(options.aesBits);
  if ((parsed.header.flags & flag) === 0) throw new RangeError(`image: expected the ENCRYPTED_AES${options.aesBits} header flag to be set before signing`);
  if ((layout.hdrSize + layout.imgSize) % 16 !== 0) throw new RangeError('image: header + payload must be padded to a multiple of 16 before signing');
  const aesKey = options.aesKey ?? crypto.randomBytes(options.aesBits / 8);
  const hmacSha = options.hmacSha ?? 256;
  const value = wrapAesKey(crypto, options.recipient, aesKey, hmacSha);
  const type = encTlvType(options.recipient.scheme, hmacSha);
  const total = layout.unprotectedEnd - layout.unprotectedStart + 4 + value.length;
  if (total > 0xffff) throw new RangeError('image: the TLV area would exceed 65535 bytes');
  const out = new Uint8Array(layout.unprotectedEnd + 4 + value.length);
  out.set(image.subarray(0, layout.unprotectedEnd), 0);
  out[layout.unprotectedStart + 2] = total & 0xff;
  out[layout.unprotectedStart + 3] = total >> 8;
  out.set([type & 0xff, type >> 8, value.length & 0xff, value.length >> 8], layout.unprotectedEnd);
  out.set(value, layout.unprotectedEnd + 4);
  if (options.clear !== true) {
    const body = image.subarray(layout.hdrSize, layout.hdrSize + layout.imgSize);
    out.set(cryptPayload(crypto, aesKey, body), layout.hdrSize);
  }
  return { image: out, aesKey };
}

/** Result of `decryptImage`. */
export type DecryptResult =
  | { ok: true; image: Uint8Array; aesKey: Uint8Array; plaintextBody: Uint8Array }
  | { ok: false; reason: 'NOT_ENCRYPTED' | 'NO_ENC_TLV' | UnwrapFailure; detail: string };

/** Decrypts an encrypted image with the recipient's private key: the result has the same
 * bytes except the payload, which is plaintext (header flags and TLVs are kept, so the
 * result verifies like the image imgtool signed). Trailing bytes (slot padding) are kept.
 * With `clear` (an image signed with `--clear`), the payload is already plaintext: only the
 * key is recovered.
 * @throws SlotwiseError SW_ERR_IMAGE_MALFORMED / SW_ERR_IMAGE_TRUNCATED for broken images. */
export function decryptImage(crypto: EncCrypto, image: Uint8Array, key: DecryptionKey, options: { clear?: boolean } = {}): DecryptResult {
  const parsed = parseStrict(image);
  const flags = parsed.header.flags;
  const aesBits: AesBits | undefined = flags & EncFlag.ENCRYPTED_AES256 ? 256 : flags & EncFlag.ENCRYPTED_AES128 ? 128 : undefined;
  if (aesBits === undefined) return { ok: false, reason: 'NOT_ENCRYPTED', detail: 'the header has no ENCRYPTED_AES128/256 flag' };
  const keyTlvs: readonly number[] = [EncTlvType.ENC_RSA2048, EncTlvType.ENC_KW, EncTlvType.ENC_EC256, EncTlvType.ENC_X25519, EncTlvType.ENC_X25519_SHA512];
  const tlv = parsed.unprotectedTlvs.find((t) => keyTlvs.includes(t.type));
  if (tlv === undefined) return { ok: false, reason: 'NO_ENC_TLV', detail: 'the image is flagged encrypted but has no key TLV' };
  const unwrapped = unwrapAesKey(crypto, key, tlv.type, tlv.value, aesBits);
  if (!unwrapped.ok) return unwrapped;
  const body = image.subarray(parsed.body.offset, parsed.body.offset + parsed.body.length);
  const plaintextBody = options.clear === true ? body.slice() : cryptPayload(crypto, unwrapped.aesKey, body);
  const out = image.slice();
  out.set(plaintextBody, parsed.body.offset);
  return { ok: true, image: out, aesKey: unwrapped.aesKey, plaintextBody };
}

/** Options for `encryptionExtension` (imgtool `-E`, `--encrypt-keylen`, `--hmac-sha`,
 * `--clear`, `--save-enctlv`). */
export interface EncryptionSetup {
  readonly recipient: EncryptionRecipient;
  readonly aesBits: AesBits;
  readonly hmacSha?: HmacSha;
  readonly clear?: boolean;
  readonly saveEncTlv?: boolean;
  /** A fixed AES key (tests); drawn from the port when absent. */
  readonly aesKey?: Uint8Array;
}

/** The `signImage` extension that encrypts an image as imgtool does: ENCRYPTED flag, body
 * zero-padded to 16, the key TLV after the signature, AES-CTR over the payload after hashing
 * (unless `clear`), and the trailer key field for `--pad` math. A fresh AES key per call. */
export function encryptionExtension(crypto: EncCrypto, setup: EncryptionSetup): {
  flags: number;
  padBodyTo: number;
  unprotectedTlvs: { type: number; value: Uint8Array }[];
  transformBody?: (body: Uint8Array) => Uint8Array;
  encKeyField: number;
  aesKey: Uint8Array;
} {
  const hmacSha = setup.hmacSha ?? 256;
  if (hmacSha === 512 && setup.recipient.scheme !== 'ecies-x25519') throw new SlotwiseError('SW_ERR_INPUT_INVALID', 'Currently only ECIES-X25519 supports HMAC-SHA512');
  const aesKey = setup.aesKey ?? crypto.randomBytes(setup.aesBits / 8);
  const value = wrapAesKey(crypto, setup.recipient, aesKey, hmacSha);
  return {
    flags: encFlag(setup.aesBits),
    padBodyTo: 16,
    unprotectedTlvs: [{ type: encTlvType(setup.recipient.scheme, hmacSha), value }],
    ...(setup.clear === true ? {} : { transformBody: (body: Uint8Array) => cryptPayload(crypto, aesKey, body) }),
    // The bootloader stores the plain AES key (16 bytes, aligned) or, with --save-enctlv, the TLV.
    encKeyField: setup.saveEncTlv === true ? value.length : 16,
    aesKey,
  };
}
