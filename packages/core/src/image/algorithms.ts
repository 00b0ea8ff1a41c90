/**
 * @module image/algorithms
 * Which hash and signature TLVs go with which key type, as imgtool decides them
 * (scripts/imgtool/image.py `ALLOWED_KEY_SHA`, `key.sig_tlv()`, `tlv_matches_key_type`).
 */
import type { HashAlgorithm } from '../crypto/port.js';
import { TlvType } from './constants.js';
import type { KeyType } from './keys.js';

/** Hash algorithms imgtool allows per signing key type; the first is `--sha auto`. */
export const ALLOWED_HASHES: Readonly<Record<KeyType, readonly HashAlgorithm[]>> = {
  'rsa-2048': ['sha256'],
  'rsa-3072': ['sha256'],
  'ecdsa-p256': ['sha256'],
  'ecdsa-p384': ['sha384'],
  ed25519: ['sha256', 'sha512'],
  x25519: [],
};

/** The signature TLV type a key type produces (null: cannot sign). */
export function signatureTlvOf(type: KeyType): number | null {
  switch (type) {
    case 'rsa-2048':
      return TlvType.RSA2048_PSS;
    case 'rsa-3072':
      return TlvType.RSA3072_PSS;
    case 'ecdsa-p256':
    case 'ecdsa-p384':
      return TlvType.ECDSA_SIG;
    case 'ed25519':
      return TlvType.ED25519;
    case 'x25519':
      return null;
  }
}

/** Hash algorithm of a hash TLV type, or null when the type is not a hash TLV. */
export function hashOfTlv(type: number): HashAlgorithm | null {
  if (type === TlvType.SHA256) return 'sha256';
  if (type === TlvType.SHA384) return 'sha384';
  if (type === TlvType.SHA512) return 'sha512';
  return null;
}

/** imgtool's name for a key type in messages (`ECDSA256_SHA256`, ...). */
export function imgtoolKeyName(type: KeyType): string {
  return {
    'rsa-2048': 'PKCS1_PSS_RSA2048_SHA256',
    'rsa-3072': 'PKCS1_PSS_RSA3072_SHA256',
    'ecdsa-p256': 'ECDSA256_SHA256',
    'ecdsa-p384': 'ECDSA384_SHA384',
    ed25519: 'Ed25519',
    x25519: 'X25519',
  }[type];
}

/** Largest signature the bootloader accepts per key type (image_validate.c length checks). */
export function maxSignatureLength(type: KeyType): { exact: boolean; length: number } {
  switch (type) {
    case 'rsa-2048':
      return { exact: true, length: 256 };
    case 'rsa-3072':
      return { exact: true, length: 384 };
    case 'ed25519':
      return { exact: true, length: 64 };
    default:
      return { exact: false, length: 128 };
  }
}
