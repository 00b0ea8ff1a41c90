/**
 * @module image/image-files
 * Reading images and signing keys for the image subcommands: `.hex` files become the
 * contiguous binary imgtool works on (lowest to highest address, gaps 0xFF), and PEM keys are
 * loaded through the image module (password-protected ones are decrypted first, after a
 * prompt, as imgtool does).
 */
import { createPrivateKey } from 'node:crypto';
import { SlotwiseError } from '@slotwise/core/errors';
import type { HexImage } from '@slotwise/core/image/intel-hex';
import { loadKey, type ImageKey } from '@slotwise/core/image/keys';
import { nodeCrypto } from '@slotwise/core/node/crypto';
import { statSync } from 'node:fs';
import { readInput, readInputChunked, resolvePath, type CommandIo } from './io.js';
import { PROGRESS_MIN_BYTES, startProgress } from './progress.js';

/** Whether imgtool treats `path` as Intel HEX (by extension). */
export function isHexPath(path: string): boolean {
  return path.toLowerCase().endsWith('.hex');
}

/** Whether a PEM holds a password-protected private key (PKCS#8 or legacy OpenSSL). Kept
 * here rather than imported from node/key-files so sign/verify do not load key generation. */
function isEncryptedPem(pem: string): boolean {
  return pem.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----') || /Proc-Type:\s*4,ENCRYPTED/.test(pem);
}

/** Reads an Intel HEX file (the HEX codec is loaded only when a .hex file is used). */
export async function readHexFile(io: CommandIo, path: string, what: string): Promise<HexImage> {
  const { fromIntelHex } = await import('@slotwise/core/image/intel-hex');
  const result = fromIntelHex(new TextDecoder().decode(readInput(io, path, what)));
  if (!result.ok) throw new SlotwiseError('SW_ERR_INPUT_INVALID', `${what} '${path}' is not valid Intel HEX: ${result.detail}`);
  return result.image;
}

/** Reads an image file as bytes (binary, or Intel HEX by extension). */
export async function readImageFile(io: CommandIo, path: string): Promise<Uint8Array> {
  return isHexPath(path) ? (await readHexFile(io, path, 'image')).bytes : readInput(io, path, 'image');
}

/** Reads a binary input, with a progress bar when it is large and stderr is a terminal. */
export async function readLargeInput(io: CommandIo, path: string, what: string): Promise<Uint8Array> {
  let size = 0;
  try {
    size = statSync(resolvePath(io, path)).size;
  } catch {
    return readInput(io, path, what);
  }
  if (size < PROGRESS_MIN_BYTES || !io.isTty) return readInput(io, path, what);
  const bar = await startProgress(io, `reading ${what}`, size);
  try {
    return readInputChunked(io, path, what, (n) => bar.advance(n));
  } finally {
    bar.stop();
  }
}

/** Reads an image file (binary, or Intel HEX by extension), with progress for large files. */
export async function readImageFileWithProgress(io: CommandIo, path: string): Promise<Uint8Array> {
  return isHexPath(path) ? (await readHexFile(io, path, 'image')).bytes : readLargeInput(io, path, 'image');
}

/** Loads a key file (PEM) for signing or verifying. */
export async function loadImageKey(io: CommandIo, path: string, what = 'key file'): Promise<ImageKey> {
  const bytes = readInput(io, path, what);
  const text = new TextDecoder().decode(bytes);
  if (isEncryptedPem(text)) {
    const passphrase = io.prompt === undefined ? undefined : await io.prompt('Enter key passphrase: ');
    if (passphrase === undefined) throw new SlotwiseError('SW_ERR_KEY_INVALID', `the key '${path}' is password-protected and no password could be read`);
    let der: Uint8Array;
    try {
      der = new Uint8Array(createPrivateKey({ key: text, format: 'pem', passphrase }).export({ format: 'der', type: 'pkcs8' }));
    } catch (error) {
      throw new SlotwiseError('SW_ERR_KEY_INVALID', `cannot decrypt the key '${path}': wrong password?`, { cause: error });
    }
    return loadKey(der, nodeCrypto);
  }
  try {
    return loadKey(text.includes('-----BEGIN') ? text : bytes, nodeCrypto);
  } catch (error) {
    if (error instanceof SlotwiseError) throw new SlotwiseError(error.code, `${what} '${path}': ${error.message}`, { cause: error });
    throw error;
  }
}
