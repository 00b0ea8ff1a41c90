/**
 * @module image/keys
 * Key files as imgtool reads them (scripts/imgtool/keys/__init__.py `load`, keys/*.py
 * `get_public_bytes`): PEM or DER, PKCS#8 / PKCS#1 / SEC1 private keys and
 * SubjectPublicKeyInfo public keys. Pure code: detects the key type and derives the exact
 * public-key bytes imgtool hashes for KEYHASH and embeds for PUBKEY (SubjectPublicKeyInfo DER
 * for EC/Ed25519/X25519, PKCS#1 RSAPublicKey DER for RSA). Private key material stays opaque:
 * it goes to the CryptoPort as DER, which also derives the public half of a private key.
 */
import { base64Decode } from '../bytes/base64.js';
import { SlotwiseError } from '../errors.js';
import type { CryptoPort, PrivateKeyMaterial, PublicKeyMaterial, SignatureScheme } from '../crypto/port.js';
import { DerError, DerTag, decodeOid, derChildren, encodeDer, readDerExact, type DerNode } from './der.js';

export type KeyType = 'rsa-2048' | 'rsa-3072' | 'ecdsa-p256' | 'ecdsa-p384' | 'ed25519' | 'x25519';

export interface ImagePublicKey {
  readonly kind: 'public';
  readonly type: KeyType;
  /** SubjectPublicKeyInfo DER, what the CryptoPort verifies with. */
  readonly spki: Uint8Array;
  /** The bytes imgtool hashes for KEYHASH / embeds for PUBKEY / prints with `getpub`. */
  readonly imgtoolDer: Uint8Array;
}

export interface ImagePrivateKey {
  readonly kind: 'private';
  readonly type: KeyType;
  readonly material: PrivateKeyMaterial;
  readonly publicKey: ImagePublicKey;
}

export type ImageKey = ImagePublicKey | ImagePrivateKey;

const OID = {
  rsaEncryption: '1.2.840.113549.1.1.1',
  ecPublicKey: '1.2.840.10045.2.1',
  p256: '1.2.840.10045.3.1.7',
  p384: '1.3.132.0.34',
  ed25519: '1.3.101.112',
  x25519: '1.3.101.110',
} as const;

function keyError(message: string, cause?: unknown): SlotwiseError {
  return new SlotwiseError('SW_ERR_KEY_INVALID', message, cause === undefined ? undefined : { cause });
}

/** Splits PEM text into its label and DER body. */
export function decodePem(text: string): { label: string; der: Uint8Array } {
  const m = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(text);
  if (!m) throw keyError('not a PEM file (no matching BEGIN/END lines)');
  try {
    return { label: m[1] as string, der: base64Decode(m[2] as string) };
  } catch (e) {
    throw keyError(`PEM body of "${m[1]}" is not valid base64`, e);
  }
}

function typeFromAlgorithm(alg: DerNode): KeyType | 'rsa' {
  const parts = derChildren(alg);
  const oid = parts[0]?.tag === DerTag.OID ? decodeOid(parts[0].value) : '';
  switch (oid) {
    case OID.rsaEncryption:
      return 'rsa';
    case OID.ed25519:
      return 'ed25519';
    case OID.x25519:
      return 'x25519';
    case OID.ecPublicKey: {
      const curve = parts[1]?.tag === DerTag.OID ? decodeOid(parts[1].value) : '';
      if (curve === OID.p256) return 'ecdsa-p256';
      if (curve === OID.p384) return 'ecdsa-p384';
      throw keyError(`unsupported EC curve ${curve || '(none)'}; imgtool keys are P-256 or P-384`);
    }
    default:
      throw keyError(`unsupported key algorithm ${oid || '(none)'}`);
  }
}

function rsaTypeFromPkcs1Public(pkcs1: Uint8Array): KeyType {
  const [n] = derChildren(readDerExact(pkcs1));
  if (!n || n.tag !== DerTag.INTEGER) throw keyError('RSA public key has no modulus');
  let bytes = n.value.length;
  if (n.value[0] === 0) bytes -= 1;
  if (bytes === 256) return 'rsa-2048';
  if (bytes === 384) return 'rsa-3072';
  throw keyError(`unsupported RSA key size ${bytes * 8} bits; imgtool supports 2048 and 3072`);
}

function rsaSpki(pkcs1: Uint8Array): Uint8Array {
  const algId = encodeDer(DerTag.SEQUENCE, new Uint8Array([...encodeDer(DerTag.OID, new Uint8Array([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01])), 0x05, 0x00]));
  const bits = encodeDer(DerTag.BIT_STRING, new Uint8Array([0, ...pkcs1]));
  return encodeDer(DerTag.SEQUENCE, new Uint8Array([...algId, ...bits]));
}

/** Builds an ImagePublicKey from SubjectPublicKeyInfo DER. */
export function publicKeyFromSpki(spki: Uint8Array): ImagePublicKey {
  try {
    const [alg, bits] = derChildren(readDerExact(spki));
    if (!alg || alg.tag !== DerTag.SEQUENCE || !bits || bits.tag !== DerTag.BIT_STRING) throw keyError('not a SubjectPublicKeyInfo');
    const t = typeFromAlgorithm(alg);
    if (t === 'rsa') {
      const pkcs1 = bits.value.subarray(1);
      return { kind: 'public', type: rsaTypeFromPkcs1Public(pkcs1), spki, imgtoolDer: pkcs1 };
    }
    return { kind: 'public', type: t, spki, imgtoolDer: spki };
  } catch (e) {
    if (e instanceof DerError) throw keyError(`malformed public key: ${e.message}`, e);
    throw e;
  }
}

function privateTypeOf(label: string, der: Uint8Array): { type: KeyType | 'rsa'; container: PrivateKeyMaterial['container'] } {
  const top = derChildren(readDerExact(der));
  if (label === 'RSA PRIVATE KEY') return { type: 'rsa', container: 'pkcs1' };
  if (label === 'EC PRIVATE KEY') {
    const params = top.find((n) => n.tag === DerTag.CONTEXT_0);
    const oidNode = params ? derChildren(params)[0] : undefined;
    const curve = oidNode?.tag === DerTag.OID ? decodeOid(oidNode.value) : '';
    if (curve === OID.p256) return { type: 'ecdsa-p256', container: 'sec1' };
    if (curve === OID.p384) return { type: 'ecdsa-p384', container: 'sec1' };
    throw keyError(`unsupported EC curve ${curve || '(none)'}`);
  }
  // PKCS#8 PrivateKeyInfo: SEQUENCE { INTEGER version, AlgorithmIdentifier, OCTET STRING }
  const alg = top[1];
  if (!alg || alg.tag !== DerTag.SEQUENCE) throw keyError('not a PKCS#8 private key');
  return { type: typeFromAlgorithm(alg), container: 'pkcs8' };
}

/**
 * Loads a key file (PEM text or raw DER bytes) as imgtool does. Private keys need the crypto
 * port to derive their public half. Throws SlotwiseError SW_ERR_KEY_INVALID on anything else.
 */
export function loadKey(file: string | Uint8Array, crypto: CryptoPort): ImageKey {
  let label: string;
  let der: Uint8Array;
  if (typeof file === 'string') {
    ({ label, der } = decodePem(file));
  } else if (file.length > 0 && file[0] === 0x2d) {
    let text = '';
    for (let i = 0; i < file.length; i++) text += String.fromCharCode(file[i] as number);
    ({ label, der } = decodePem(text));
  } else {
    der = file;
    label = 'DER';
  }
  try {
    if (label === 'ENCRYPTED PRIVATE KEY') throw keyError('password-protected private keys are not supported');
    if (label === 'PUBLIC KEY') return publicKeyFromSpki(der);
    if (label === 'RSA PUBLIC KEY') return publicKeyFromSpki(rsaSpki(der));
    if (label === 'DER') {
      // Raw DER: a SubjectPublicKeyInfo starts with SEQUENCE { SEQUENCE ...
      const first = derChildren(readDerExact(der))[0];
      if (first?.tag === DerTag.SEQUENCE) return publicKeyFromSpki(der);
      label = 'PRIVATE KEY';
    }
    if (label !== 'PRIVATE KEY' && label !== 'RSA PRIVATE KEY' && label !== 'EC PRIVATE KEY') {
      throw keyError(`unsupported PEM type "${label}"`);
    }
    const { container } = privateTypeOf(label, der);
    const material: PrivateKeyMaterial = { der, container };
    let spki: Uint8Array;
    try {
      spki = crypto.publicKeyOf(material);
    } catch (e) {
      throw keyError('the private key could not be loaded', e);
    }
    const publicKey = publicKeyFromSpki(spki);
    return { kind: 'private', type: publicKey.type, material, publicKey };
  } catch (e) {
    if (e instanceof DerError) throw keyError(`malformed key file: ${e.message}`, e);
    throw e;
  }
}

/** The public half of any key. */
export function publicOf(key: ImageKey): ImagePublicKey {
  return key.kind === 'public' ? key : key.publicKey;
}

/** The CryptoPort scheme a key signs with; null for X25519 (encryption only). */
export function signatureSchemeOf(type: KeyType): SignatureScheme | null {
  switch (type) {
    case 'rsa-2048':
    case 'rsa-3072':
      return 'rsa-pss';
    case 'ecdsa-p256':
      return 'ecdsa-p256';
    case 'ecdsa-p384':
      return 'ecdsa-p384';
    case 'ed25519':
      return 'ed25519';
    case 'x25519':
      return null;
  }
}

/** PublicKeyMaterial for the crypto port. */
export function publicMaterial(key: ImagePublicKey): PublicKeyMaterial {
  return { spki: key.spki };
}
