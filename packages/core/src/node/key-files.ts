/**
 * @module node/key-files
 * Key files for imgtool's key commands (`keygen`, `getpub`, `getpriv`, `keyinfo`), through
 * node:crypto: reading PEM keys (also password-protected PKCS#8), generating new ones (the
 * only randomness is node:crypto's), and exporting DER forms. Mirrors imgtool
 * `scripts/imgtool/keys/__init__.py: load` and each key class's `generate`/`export_private`.
 * Formatting lives in the pure `image/key-tools.ts`.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SlotwiseError } from '../errors.js';
import type { KeyType, PrivateFormat } from '../image/key-tools.js';

/** What a key file holds. */
export interface LoadedKey {
  readonly type: KeyType;
  readonly kind: 'private' | 'public';
  /** The bytes imgtool embeds and hashes: PKCS#1 RSAPublicKey for RSA, SPKI otherwise. */
  readonly publicDer: Uint8Array;
  /** SubjectPublicKeyInfo PEM (`getpub -e pem`), also for RSA. */
  readonly publicPem: string;
  /** Private DER in `format`; throws for public keys. */
  privateDer(format: PrivateFormat): Uint8Array;
}

function toBytes(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength));
}

function typeOf(key: KeyObject): KeyType {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
      if (details.modulusLength === 2048) return 'rsa-2048';
      if (details.modulusLength === 3072) return 'rsa-3072';
      throw new SlotwiseError('SW_ERR_KEY_INVALID', `unsupported RSA key size ${details.modulusLength ?? '?'} bits (use 2048 or 3072)`);
    case 'ec':
      if (details.namedCurve === 'prime256v1') return 'ecdsa-p256';
      if (details.namedCurve === 'secp384r1') return 'ecdsa-p384';
      throw new SlotwiseError('SW_ERR_KEY_INVALID', `unsupported EC curve ${details.namedCurve ?? '?'} (use P-256 or P-384)`);
    case 'ed25519':
      return 'ed25519';
    case 'x25519':
      return 'x25519';
    default:
      throw new SlotwiseError('SW_ERR_KEY_INVALID', `unsupported key type ${key.asymmetricKeyType ?? '?'}`);
  }
}

/** Whether a PEM holds a password-protected private key. */
export function isEncryptedPem(pem: string): boolean {
  return pem.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----') || /Proc-Type:\s*4,ENCRYPTED/.test(pem);
}

/** Reads a PEM key file's text (private or public; `passphrase` for protected keys).
 * @throws SlotwiseError SW_ERR_KEY_INVALID with a message naming the problem. */
export function loadKeyPem(pem: string, passphrase?: string): LoadedKey {
  if (!pem.includes('-----BEGIN ')) throw new SlotwiseError('SW_ERR_KEY_INVALID', 'not a PEM key file (no "-----BEGIN" line)');
  const isPrivate = /-----BEGIN (RSA |EC |ENCRYPTED )?PRIVATE KEY-----/.test(pem);
  if (isPrivate && isEncryptedPem(pem) && passphrase === undefined) {
    throw new SlotwiseError('SW_ERR_KEY_INVALID', 'the key is password-protected: give the password');
  }
  let privateKey: KeyObject | undefined;
  let publicKey: KeyObject;
  try {
    if (isPrivate) {
      privateKey = createPrivateKey(passphrase === undefined ? { key: pem, format: 'pem' } : { key: pem, format: 'pem', passphrase });
      publicKey = createPublicKey(privateKey);
    } else {
      publicKey = createPublicKey({ key: pem, format: 'pem' });
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SlotwiseError('SW_ERR_KEY_INVALID', `cannot read the key: ${/bad decrypt/i.test(reason) ? 'wrong password' : reason}`, { cause: error });
  }
  const type = typeOf(publicKey);
  const rsa = type === 'rsa-2048' || type === 'rsa-3072';
  const publicDer = toBytes(publicKey.export({ format: 'der', type: rsa ? 'pkcs1' : 'spki' }));
  const publicPem = String(publicKey.export({ format: 'pem', type: 'spki' }));
  return {
    type,
    kind: privateKey === undefined ? 'public' : 'private',
    publicDer,
    publicPem,
    privateDer(format) {
      if (privateKey === undefined) throw new SlotwiseError('SW_ERR_KEY_INVALID', 'this is a public key; the command needs the private key');
      const exportType = format === 'pkcs8' ? 'pkcs8' : rsa ? 'pkcs1' : 'sec1';
      return toBytes(privateKey.export({ format: 'der', type: exportType }));
    },
  };
}

/** Generates a key of `type` and returns it as PKCS#8 PEM, encrypted with `passphrase`
 * (AES-256-CBC, PBES2) when given, as imgtool `keygen [-p]` writes it. */
export function generateKeyPem(type: KeyType, passphrase?: string): string {
  const encryption = passphrase === undefined ? {} : { cipher: 'aes-256-cbc', passphrase };
  const privateKeyEncoding = { format: 'pem' as const, type: 'pkcs8' as const, ...encryption };
  const publicKeyEncoding = { format: 'pem' as const, type: 'spki' as const };
  switch (type) {
    case 'rsa-2048':
    case 'rsa-3072':
      return generateKeyPairSync('rsa', { modulusLength: type === 'rsa-2048' ? 2048 : 3072, publicExponent: 65537, privateKeyEncoding, publicKeyEncoding }).privateKey;
    case 'ecdsa-p256':
    case 'ecdsa-p384':
      return generateKeyPairSync('ec', { namedCurve: type === 'ecdsa-p256' ? 'prime256v1' : 'secp384r1', privateKeyEncoding, publicKeyEncoding }).privateKey;
    case 'ed25519':
      return generateKeyPairSync('ed25519', { privateKeyEncoding, publicKeyEncoding }).privateKey;
    case 'x25519':
      return generateKeyPairSync('x25519', { privateKeyEncoding, publicKeyEncoding }).privateKey;
  }
}
