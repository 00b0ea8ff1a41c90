/**
 * @module image/verify-command
 * `slotwise image verify [-k KEY] IMAGE [--json]`: judges an image like the MCUboot
 * bootloader (`image/verify.ts`, policy 'bootloader'; `bootutil_img_validate`), and prints
 * imgtool's own result lines (`scripts/imgtool/main.py: verify`) so scripts written for
 * imgtool keep working. Rejections imgtool would not make (the manifest's "lenient" cases)
 * print the bootloader's reason.
 */
import { verifyImage, type VerifyResult } from '@slotwise/core/image/verify';
import { formatVersion } from '@slotwise/core/image/version';
import { nodeCrypto } from '@slotwise/core/node/crypto';
import { SlotwiseError } from '@slotwise/core/errors';
import { flagOption, stringOption, type ParsedArgs } from './args.js';
import { loadImageKey, readImageFileWithProgress } from './image-files.js';
import { readTextInput, type CommandIo } from './io.js';

/** imgtool's message for each of its result codes; ours for the bootloader-only ones. */
const MESSAGES: Readonly<Record<string, string>> = {
  INVALID_MAGIC: 'Invalid image magic; is this an MCUboot image?',
  INVALID_TLV_INFO_MAGIC: 'Invalid TLV info magic; is this an MCUboot image?',
  INVALID_HASH: 'Image has an invalid hash',
  INVALID_SIGNATURE: 'No signature found for the given key',
  KEY_MISMATCH: 'Key type does not match TLV record',
  TRUNCATED: 'Image is truncated',
  MALFORMED: 'Image is malformed',
  MISSING_HASH: 'Image has no hash TLV',
  PROTECTED_TLV_SIZE_MISMATCH: 'Rejected as the MCUboot bootloader would: the header protected TLV size disagrees with the protected TLV area',
  TLV_OUT_OF_BOUNDS: 'Rejected as the MCUboot bootloader would: a TLV runs past its area',
  TLV_NOT_ALLOWED_UNPROTECTED: 'Rejected as the MCUboot bootloader would: a TLV that is not a hash, key, signature or encryption TLV sits in the unprotected area',
  KEYHASH_MISMATCH: 'Rejected as the MCUboot bootloader would: the KEYHASH/PUBKEY TLV does not name the given key',
};

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

function toJson(result: VerifyResult, path: string): object {
  const header = result.header === null ? null : { ...result.header, version: formatVersion(result.header.version) };
  if (result.ok) {
    return { file: path, valid: true, policy: result.policy, version: formatVersion(result.header.version), hashAlgorithm: result.hashAlgorithm, digest: hex(result.digest), signature: result.signature, header };
  }
  return { file: path, valid: false, policy: result.policy, reason: result.reason, message: MESSAGES[result.reason] ?? result.reason, detail: result.detail, header };
}

/** Decrypts the payload with the recipient's private key (imgtool has no such option: its
 * verify reports an encrypted image's hash as invalid). */
async function decrypt(io: CommandIo, bytes: Uint8Array, keyPath: string): Promise<Uint8Array> {
  const [{ decryptImage, readEncryptionKey, readKeyEncryptionKey }, { createNodeEncCrypto }, { decodePem }] = await Promise.all([
    import('@slotwise/core/image/encrypt'),
    import('@slotwise/core/node/enc-crypto'),
    import('@slotwise/core/image/keys'),
  ]);
  const enc = createNodeEncCrypto();
  const text = readTextInput(io, keyPath, 'decryption key');
  // A PEM private key (ECIES, RSA-OAEP), or a base64 key-encryption key for ENC_KW images.
  const key = text.includes('-----BEGIN') ? readEncryptionKey(enc, decodePem(text).der).decryption : readKeyEncryptionKey(text).decryption;
  if (key === undefined) throw new SlotwiseError('SW_ERR_KEY_INVALID', `--decrypt-key '${keyPath}' is a public key; decryption needs the private key`);
  const result = decryptImage(enc, bytes, key);
  if (!result.ok) throw new SlotwiseError('SW_ERR_INPUT_INVALID', `cannot decrypt the image: ${result.reason}: ${result.detail}`);
  return result.image;
}

/** `verify [-k KEY] [--json] [--decrypt-key KEY] IMAGE`. */
export async function verify(args: ParsedArgs, io: CommandIo): Promise<number> {
  const path = args.positionals[0] as string;
  const keyPath = stringOption(args, 'key');
  const key = keyPath === undefined ? undefined : await loadImageKey(io, keyPath);
  let bytes = await readImageFileWithProgress(io, path);
  const decryptKeyPath = stringOption(args, 'decrypt-key');
  if (decryptKeyPath !== undefined) bytes = await decrypt(io, bytes, decryptKeyPath);
  const result = verifyImage(bytes, key === undefined ? { crypto: nodeCrypto, policy: 'bootloader' } : { crypto: nodeCrypto, policy: 'bootloader', keys: key });
  if (flagOption(args, 'json')) {
    io.stdout(JSON.stringify(toJson(result, path), null, 2) + '\n');
    return result.ok ? 0 : 1;
  }
  if (result.ok) {
    const signature = result.signature;
    // imgtool prints the signature instead of the digest when it checked a pure signature.
    const pureTlv = signature?.pure === true ? result.image.unprotectedTlvs.filter((t) => t.type === signature.tlvType).at(-1) : undefined;
    const last = pureTlv === undefined ? `Image digest: ${hex(result.digest)}` : `Image signature over image: ${hex(pureTlv.value)}`;
    io.stdout(`Image was correctly validated\nImage version: ${formatVersion(result.header.version)}\n${last}\n`);
    return 0;
  }
  io.stdout(`${MESSAGES[result.reason] ?? result.reason}\n`);
  io.stderr(`${result.reason}: ${result.detail}\n`);
  if (result.reason === 'INVALID_HASH' && decryptKeyPath === undefined && ((result.header?.flags ?? 0) & 0x0c) !== 0) {
    io.stderr('hint: the image is encrypted (its hash covers the plaintext); give --decrypt-key with the private encryption key\n');
  }
  return 1;
}
