/**
 * @module image/sign-command
 * `slotwise image sign|create … INFILE OUTFILE`: imgtool's `sign` (`scripts/imgtool/main.py`)
 * with the same options, defaults and refusals. It translates the command line into
 * `SignOptions` (`@slotwise/core/image/sign`), adds encryption (`image/encrypt`) and
 * compression (`image/compress`) through the sign extension hook, and writes the result
 * atomically: a refused or failed command never leaves an output file behind.
 *
 * Exit codes follow imgtool: 2 for what imgtool reports as a usage error, 1 for inputs it
 * cannot use (where imgtool itself crashes: an out-of-range version, a non-PEM --encrypt key).
 */
import { SlotwiseError } from '@slotwise/core/errors';
import { decodePem, publicOf, type ImagePrivateKey } from '@slotwise/core/image/keys';
import { decodeSignatureFile, encodeSignatureFile, signImage, toBinaryOutput, toHexOutput, type ImageDependency, type SignExtension, type SignOptions, type SignResult } from '@slotwise/core/image/sign';
import type { TlvInput } from '@slotwise/core/image/tlv';
import { parseVersion, type ImageVersion } from '@slotwise/core/image/version';
import { nodeCrypto } from '@slotwise/core/node/crypto';
import { flagOption, listOption, parseBasedInt, stringOption, UsageError, type ParsedArgs } from './args.js';
import { isHexPath, loadImageKey, readHexFile, readLargeInput } from './image-files.js';
import { readInput, readTextInput, writeOutput, type CommandIo } from './io.js';

/** Largest binary output `--pad` may produce (flash slots are far smaller). */
const MAX_PAD_BYTES = 1 << 30;

/** An integer option as Python's `int(text, 0)` reads it, within `[min, max]` (addresses and
 * sizes are u32 fields; imgtool crashes in `struct.pack` outside that range, we refuse). */
function basedInt(args: ParsedArgs, name: string, label: string, min = 0, max = 0xffff_ffff): number | undefined {
  const text = stringOption(args, name);
  if (text === undefined) return undefined;
  const value = parseBasedInt(text);
  if (value === undefined) throw new UsageError(`Invalid value for ${label}: ${text} is not a valid integer. Please use code literals prefixed with 0b/0B, 0o/0O, or 0x/0X as necessary.`);
  if (value < min || value > max) throw new UsageError(`Invalid value for ${label}: ${text} is out of range (${min}..0x${max.toString(16)})`);
  return value;
}

function version(text: string, label: string): ImageVersion {
  const parsed = parseVersion(text);
  if (parsed.ok) return parsed.version;
  if (parsed.reason === 'SYNTAX') throw new UsageError(`Invalid value for ${label}: Invalid version number, should be maj.min.rev+build with later parts optional`);
  // imgtool crashes here (struct.error); we refuse cleanly, with its exit status 1.
  throw new SlotwiseError('SW_ERR_INPUT_INVALID', `version ${text}: ${parsed.detail}`);
}

/** imgtool `get_dependencies`: "(ID, VERSION), (ID, VERSION)". */
function dependencies(text: string | undefined): ImageDependency[] | undefined {
  if (text === undefined) return undefined;
  const ids = [...text.matchAll(/\((\d+)/g)].map((m) => Number(m[1]));
  if (ids.length === 0) throw new UsageError(`Invalid value for '-d' / '--dependencies': Image dependency format is invalid: ${text}`);
  const versions = [...text.matchAll(/,\s*([0-9.+]+)\)/g)].map((m) => m[1] as string);
  if (ids.length !== versions.length) throw new UsageError(`Invalid value for '-d' / '--dependencies': There's a mismatch between the number of dependency images and versions in: ${text}`);
  return ids.map((imageId, i) => ({ imageId, version: version(versions[i] as string, "'-d' / '--dependencies'") }));
}

function customTlvs(args: ParsedArgs, io: CommandIo): TlvInput[] {
  const out: TlvInput[] = [];
  const seen = new Set<number>();
  const tag = (text: string): number => {
    const value = parseBasedInt(text);
    if (value === undefined) throw new UsageError(`Invalid custom TLV tag '${text}'`);
    if (seen.has(value)) throw new UsageError(`Custom TLV 0x${value.toString(16)} already exists.`);
    seen.add(value);
    return value;
  };
  for (const [tagText, value] of listOption<readonly [string, string]>(args, 'custom-tlv')) {
    const type = tag(tagText);
    if (value.startsWith('0x')) {
      const digits = value.slice(2);
      if (digits.length % 2 !== 0) throw new UsageError('Custom TLV length is odd.');
      if (!/^[0-9a-fA-F]*$/.test(digits)) throw new UsageError(`Custom TLV value '${value}' is not valid hex.`);
      out.push({ type, value: Uint8Array.from(digits.match(/../g) ?? [], (h) => parseInt(h, 16)) });
    } else {
      out.push({ type, value: new TextEncoder().encode(value) });
    }
  }
  for (const [tagText, path] of listOption<readonly [string, string]>(args, 'custom-tlv-file')) {
    out.push({ type: tag(tagText), value: readInput(io, path, 'custom TLV file') });
  }
  return out;
}

/** Encryption setup from `-E` & co; loaded lazily so unencrypted signing never pays for it. */
async function encryption(args: ParsedArgs, io: CommandIo, signer: ImagePrivateKey | undefined): Promise<(() => SignExtension) | undefined> {
  const path = stringOption(args, 'encrypt');
  if (path === undefined) {
    if (flagOption(args, 'clear')) throw new UsageError('--clear needs --encrypt');
    return undefined;
  }
  const [{ readEncryptionKey, encryptionExtension }, { createNodeEncCrypto }] = await Promise.all([import('@slotwise/core/image/encrypt'), import('@slotwise/core/node/enc-crypto')]);
  const enc = createNodeEncCrypto();
  const text = readTextInput(io, path, 'encryption key');
  const recipient = readEncryptionKey(enc, decodePem(text).der).recipient;
  if (signer !== undefined) {
    const ecSigner = signer.type === 'ecdsa-p256' || signer.type === 'ecdsa-p384';
    const rsaSigner = signer.type === 'rsa-2048' || signer.type === 'rsa-3072';
    if ((ecSigner && recipient.scheme !== 'ecies-p256') || (rsaSigner && recipient.scheme !== 'rsa-oaep')) throw new UsageError('Signing and encryption must use the same type of key');
  }
  const hmacText = stringOption(args, 'hmac-sha') ?? 'auto';
  const hmacSha = hmacText === '512' ? 512 : 256;
  if (hmacSha === 512 && recipient.scheme !== 'ecies-x25519') throw new UsageError('Currently only ECIES-X25519 supports HMAC-SHA512');
  const aesBits = (stringOption(args, 'encrypt-keylen') ?? stringOption(args, 'aes-bits') ?? '128') === '256' ? 256 : 128;
  const clear = flagOption(args, 'clear');
  const saveEncTlv = flagOption(args, 'save-enctlv');
  return () => {
    const { aesKey: _aesKey, ...extension } = encryptionExtension(enc, { recipient, aesBits, hmacSha, clear, saveEncTlv });
    return extension;
  };
}

/** Builds imgtool's SignOptions from the command line. */
async function signOptions(args: ParsedArgs, io: CommandIo): Promise<{ options: SignOptions; makeExtension?: () => SignExtension }> {
  const infile = args.positionals[0] as string;
  const headerText = stringOption(args, 'header-size') as string;
  const headerValue = parseBasedInt(headerText);
  if (headerValue !== undefined && headerValue < 32) throw new UsageError("Invalid value for '-H' / '--header-size': Minimum value for -H/--header-size is 32");
  const headerSize = basedInt(args, 'header-size', "'-H' / '--header-size'", 32, 0xffff) as number;
  const slotSize = basedInt(args, 'slot-size', "'-S' / '--slot-size'") as number;
  if (slotSize === 0 && (flagOption(args, 'pad') || flagOption(args, 'confirm') || flagOption(args, 'test'))) {
    throw new UsageError("Invalid value for '-S' / '--slot-size': --pad, --confirm and --test need the slot size to pad to");
  }
  if (slotSize > MAX_PAD_BYTES && (flagOption(args, 'pad') || flagOption(args, 'confirm') || flagOption(args, 'test')) && !isHexPath(args.positionals[1] as string)) {
    throw new UsageError(`Invalid value for '-S' / '--slot-size': refusing to pad a file to more than ${MAX_PAD_BYTES / 1048576} MiB`);
  }
  const ver = version(stringOption(args, 'version') as string, "'-v' / '--version'");
  const loadAddress = basedInt(args, 'load-addr', "'-L' / '--load-addr'");
  const romFixed = basedInt(args, 'rom-fixed', "'-F' / '--rom-fixed'");
  if (loadAddress && romFixed) throw new UsageError('Can not set rom_fixed and load_addr at the same time');
  const counterText = stringOption(args, 'security-counter');
  let securityCounter: number | 'auto' | undefined;
  if (counterText !== undefined) {
    securityCounter = counterText.toLowerCase() === 'auto' ? 'auto' : parseBasedInt(counterText);
    if (securityCounter === undefined) throw new UsageError(`Invalid value for '-s' / '--security-counter': ${counterText} is not a valid integer. Please use code literals prefixed with 0b/0B, 0o/0O, or 0x/0X as necessary.`);
  }

  const keyPath = stringOption(args, 'key');
  let key: ImagePrivateKey | undefined;
  if (keyPath !== undefined) {
    const loaded = await loadImageKey(io, keyPath);
    if (loaded.kind !== 'private') throw new UsageError('Cannot sign with a public-only PEM; signing requires the private key.');
    key = loaded;
  }
  const fixSigPath = stringOption(args, 'fix-sig');
  const fixSigPubkeyPath = stringOption(args, 'fix-sig-pubkey');
  if (keyPath !== undefined && (fixSigPath !== undefined || fixSigPubkeyPath !== undefined)) throw new UsageError('Cannot use --key with --fix-sig or --fix-sig-pubkey');
  let fixedSignature: SignOptions['fixedSignature'];
  if (fixSigPath !== undefined) {
    if (fixSigPubkeyPath === undefined) throw new UsageError('public key of the fixed signature is not specified');
    fixedSignature = { signature: decodeSignatureFile(readTextInput(io, fixSigPath, '--fix-sig file')), publicKey: publicOf(await loadImageKey(io, fixSigPubkeyPath)) };
  }

  let payload: Uint8Array;
  let baseAddress: number | undefined;
  if (isHexPath(infile)) {
    const hex = await readHexFile(io, infile, 'input');
    payload = hex.bytes;
    baseAddress = hex.baseAddress;
  } else {
    payload = await readLargeInput(io, infile, 'input');
  }
  const sha = stringOption(args, 'sha') ?? 'auto';
  const align = stringOption(args, 'align');
  const maxAlign = stringOption(args, 'max-align');
  const maxSectors = basedInt(args, 'max-sectors', "'-M' / '--max-sectors'", 1, 0xffff);
  const erased = stringOption(args, 'erased-val');
  const endian = stringOption(args, 'endian');
  const vectorToSign = stringOption(args, 'vector-to-sign');
  const vid = stringOption(args, 'vid');
  const cid = stringOption(args, 'cid');
  const bootRecord = stringOption(args, 'boot-record');
  const deps = dependencies(stringOption(args, 'dependencies'));
  const options: SignOptions = {
    payload,
    version: ver,
    headerSize,
    slotSize,
    padHeader: flagOption(args, 'pad-header'),
    sha: sha === 'auto' ? 'auto' : (`sha${sha}` as 'sha256' | 'sha384' | 'sha512'),
    pure: flagOption(args, 'pure'),
    publicKeyFormat: stringOption(args, 'public-key-format') === 'full' ? 'full' : 'hash',
    overwriteOnly: flagOption(args, 'overwrite-only'),
    pad: flagOption(args, 'pad'),
    confirm: flagOption(args, 'confirm'),
    test: flagOption(args, 'test'),
    nonBootable: flagOption(args, 'non-bootable'),
    padSig: flagOption(args, 'pad-sig'),
    customTlvs: customTlvs(args, io),
    ...(baseAddress === undefined ? {} : { baseAddress }),
    ...(key === undefined ? {} : { key }),
    ...(fixedSignature === undefined ? {} : { fixedSignature }),
    ...(align === undefined ? {} : { align: Number(align) }),
    ...(maxAlign === undefined ? {} : { maxAlign: Number(maxAlign) }),
    ...(maxSectors === undefined ? {} : { maxSectors }),
    ...(erased === undefined ? {} : { erasedValue: erased === '0' ? 0 : 0xff }),
    ...(endian === 'big' ? { endian: 'big' as const } : {}),
    ...(securityCounter === undefined ? {} : { securityCounter }),
    ...(deps === undefined ? {} : { dependencies: deps }),
    ...(bootRecord === undefined ? {} : { bootRecord }),
    ...(vid === undefined ? {} : { vid }),
    ...(cid === undefined ? {} : { cid }),
    ...(loadAddress === undefined ? {} : { loadAddress }),
    ...(romFixed === undefined ? {} : { romFixed }),
    ...(vectorToSign === 'payload' || vectorToSign === 'digest' ? { vectorToSign } : {}),
  };
  const makeExtension = await encryption(args, io, key);
  return makeExtension === undefined ? { options } : { options, makeExtension };
}

/** Runs imgtool's recipe, converting its option refusals into usage errors (exit 2). */
async function build(args: ParsedArgs, io: CommandIo, options: SignOptions, makeExtension: (() => SignExtension) | undefined): Promise<SignResult> {
  const compression = stringOption(args, 'compression') ?? 'disabled';
  try {
    if (compression === 'lzma2' || compression === 'lzma2armthumb') {
      const [{ signCompressed }, { xzCompress }] = await Promise.all([import('@slotwise/core/image/compress'), import('@slotwise/core/node/xz-compress')]);
      const compressed = signCompressed(options, nodeCrypto, compression, xzCompress, makeExtension);
      // imgtool prints these two lines whenever it compresses (its "image.py: sign the …" debug
      // lines are not reproduced).
      if (compressed.compressedSize > 0) io.stdout(`compressed image size: ${compressed.compressedSize} bytes\noriginal image size: ${compressed.uncompressedSize} bytes\n`);
      return compressed.result;
    }
    return signImage(makeExtension === undefined ? options : { ...options, extension: makeExtension() }, nodeCrypto);
  } catch (error) {
    if (error instanceof SlotwiseError && error.code === 'SW_ERR_INPUT_INVALID') throw new UsageError(error.message);
    throw error;
  }
}

/** `sign [OPTIONS] INFILE OUTFILE`. */
export async function sign(args: ParsedArgs, io: CommandIo): Promise<number> {
  const outfile = args.positionals[1] as string;
  const { options, makeExtension } = await signOptions(args, io);
  const result = await build(args, io, options, makeExtension);
  if (result.kind === 'vector-to-sign') {
    writeOutput(io, outfile, result.bytes);
    return 0;
  }
  let output: Uint8Array | string | readonly Uint8Array[];
  try {
    // An unpadded binary is written part by part, without joining the payload into a copy.
    output = isHexPath(outfile) ? toHexOutput(result, basedInt(args, 'hex-addr', "'-x' / '--hex-addr'")) : result.pad ? toBinaryOutput(result) : result.parts;
  } catch (error) {
    if (error instanceof SlotwiseError && error.code === 'SW_ERR_INPUT_INVALID') throw new UsageError(error.message);
    throw error;
  }
  const sigOut = stringOption(args, 'sig-out');
  if (sigOut !== undefined && result.signature === null) throw new UsageError('--sig-out needs a signature: give --key');
  writeOutput(io, outfile, output);
  if (sigOut !== undefined && result.signature !== null) writeOutput(io, sigOut, encodeSignatureFile(result.signature));
  return 0;
}
