/**
 * @module image/key-commands
 * `slotwise image keygen|getpub|getpubhash|getpriv|keyinfo`: imgtool's key commands
 * (`scripts/imgtool/main.py`), printing exactly what imgtool prints.
 */
import { createHash } from 'node:crypto';
import { SlotwiseError } from '@slotwise/core/errors';
import { formatPrivateKeyC, formatPublicKeyC, formatPublicKeyHashC, formatPublicKeyRust, minimalPrivateKey, privateFormats, type KeyType, type PrivateFormat } from '@slotwise/core/image/key-tools';
import { generateKeyPem, isEncryptedPem, loadKeyPem, type LoadedKey } from '@slotwise/core/node/key-files';
import { flagOption, stringOption, UsageError, type ParsedArgs } from './args.js';
import { readTextInput, writeOutput, writeSecretOutput, type CommandIo } from './io.js';

/** Loads a key file, asking for the passphrase when it is protected. */
export async function loadKeyFile(io: CommandIo, path: string): Promise<LoadedKey> {
  const pem = readTextInput(io, path, 'key file');
  if (isEncryptedPem(pem)) {
    const passphrase = io.prompt === undefined ? undefined : await io.prompt('Enter key passphrase: ');
    if (passphrase === undefined) throw new SlotwiseError('SW_ERR_KEY_INVALID', `the key '${path}' is password-protected and no password could be read`);
    return loadKeyPem(pem, passphrase);
  }
  return loadKeyPem(pem);
}

function emit(io: CommandIo, output: string | undefined, data: string | Uint8Array): void {
  if (output === undefined) io.stdout(data);
  else writeOutput(io, output, data);
}

/** `keygen -k FILE -t TYPE [-p]`. */
export async function keygen(args: ParsedArgs, io: CommandIo): Promise<number> {
  const type = stringOption(args, 'type') as KeyType;
  const path = stringOption(args, 'key') as string;
  let passphrase: string | undefined;
  if (flagOption(args, 'password')) {
    const first = io.prompt === undefined ? undefined : await io.prompt('Enter key passphrase: ');
    const second = first === undefined || io.prompt === undefined ? undefined : await io.prompt('Reenter passphrase: ');
    if (first === undefined || second === undefined) throw new SlotwiseError('SW_ERR_INPUT_INVALID', 'no password could be read (run keygen -p on a terminal, or give it twice on stdin)');
    if (first !== second) throw new UsageError('Passwords do not match.');
    passphrase = first;
  }
  writeSecretOutput(io, path, generateKeyPem(type, passphrase));
  return 0;
}

/** `getpub -k KEY [-e lang-c|lang-rust|pem|raw] [--name-suffix S] [-o OUT]`. */
export async function getpub(args: ParsedArgs, io: CommandIo): Promise<number> {
  const key = await loadKeyFile(io, stringOption(args, 'key') as string);
  const lang = stringOption(args, 'lang');
  const encoding = stringOption(args, 'encoding') ?? (lang === undefined ? 'lang-c' : `lang-${lang}`);
  const suffix = stringOption(args, 'name-suffix') ?? '';
  const output = stringOption(args, 'output');
  if (encoding === 'lang-c') emit(io, output, formatPublicKeyC(key.type, key.publicDer, suffix));
  else if (encoding === 'lang-rust') emit(io, output, formatPublicKeyRust(key.type, key.publicDer, suffix));
  else if (encoding === 'pem') emit(io, output, key.publicPem);
  else emit(io, output, key.publicDer);
  return 0;
}

/** `getpubhash -k KEY [-e lang-c|raw]`: always SHA-256, whatever the key (spec §1.21). */
export async function getpubhash(args: ParsedArgs, io: CommandIo): Promise<number> {
  const key = await loadKeyFile(io, stringOption(args, 'key') as string);
  const digest = new Uint8Array(createHash('sha256').update(key.publicDer).digest());
  const output = stringOption(args, 'output');
  emit(io, output, stringOption(args, 'encoding') === 'raw' ? digest : formatPublicKeyHashC(key.type, digest));
  return 0;
}

/** `getpriv -k KEY [--minimal] [-f openssl|pkcs8]`. */
export async function getpriv(args: ParsedArgs, io: CommandIo): Promise<number> {
  const key = await loadKeyFile(io, stringOption(args, 'key') as string);
  if (key.kind !== 'private') throw new SlotwiseError('SW_ERR_KEY_INVALID', 'getpriv needs a private key; this file holds a public key');
  const formats = privateFormats(key.type);
  if (formats.length === 0) throw new UsageError(`${key.type} keys are signing keys; getpriv dumps decryption keys (EC P-256, X25519, RSA)`);
  const format = (stringOption(args, 'format') ?? formats[0]) as PrivateFormat;
  if (!formats.includes(format)) throw new UsageError(`${key.type} does not support ${format}`);
  const der = key.privateDer(format);
  io.stdout(formatPrivateKeyC(flagOption(args, 'minimal') ? minimalPrivateKey(key.type, format, der) : der));
  return 0;
}

/** `keyinfo -k KEY [--require private|public]`. */
export async function keyinfo(args: ParsedArgs, io: CommandIo): Promise<number> {
  const key = await loadKeyFile(io, stringOption(args, 'key') as string);
  const required = stringOption(args, 'require');
  if (required !== undefined && required !== key.kind) {
    io.stderr(`Error: the key is ${key.kind}, ${required} required\n`);
    return 1;
  }
  io.stdout(`${key.kind}\n`);
  return 0;
}
