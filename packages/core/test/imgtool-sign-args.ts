/**
 * Test-side translator from a manifest `imgtool sign` argument list to SignOptions, so that
 * every vector can be rebuilt by signImage. Paths are relative to the vector folder.
 */
import { SlotwiseError } from '../src/errors.js';
import { nodeCrypto } from '../src/node/crypto.js';
import { fromIntelHex } from '../src/image/intel-hex.js';
import { loadKey, publicOf } from '../src/image/keys.js';
import { decodeSignatureFile, type SignOptions } from '../src/image/sign.js';
import {
  parseImgtoolCustomTlv,
  parseImgtoolDependencies,
  parseImgtoolInt,
  parseImgtoolSha,
  parseImgtoolVersion,
} from '../src/image/imgtool-values.js';
import type { TlvInput } from '../src/image/tlv.js';
import { vectorFile, vectorText } from './image-manifest.js';

export interface TranslatedSign {
  options: SignOptions;
  output: string;
  hexAddress?: number;
  sigOut?: string;
  /** Options the sign command adds through SignExtension (encryption, compression). */
  unsupported: string[];
}

const ALIASES: Record<string, string> = { '-k': '--key', '-v': '--version', '-H': '--header-size', '-S': '--slot-size', '-M': '--max-sectors', '-R': '--erased-val', '-s': '--security-counter', '-d': '--dependencies', '-L': '--load-addr', '-F': '--rom-fixed', '-x': '--hex-addr', '-e': '--endian', '-E': '--encrypt', '-c': '--clear' };
const FLAGS = new Set(['--pad-header', '--pad', '--confirm', '--test', '--overwrite-only', '--non-bootable', '--pad-sig', '--pure', '--clear', '--save-enctlv']);
const UNSUPPORTED = new Set(['--encrypt', '--encrypt-keylen', '--clear', '--compression', '--save-enctlv', '--hmac-sha']);

function err(message: string): SlotwiseError {
  return new SlotwiseError('SW_ERR_INPUT_INVALID', message);
}

export function translateSignArgs(args: readonly string[]): TranslatedSign {
  if (args[0] !== 'sign' && args[0] !== 'create') throw new Error(`not a sign command: ${args.join(' ')}`);
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const custom: TlvInput[] = [];
  const customFiles: TlvInput[] = [];
  const positional: string[] = [];
  const unsupported: string[] = [];
  for (let i = 1; i < args.length; i++) {
    const raw = args[i] as string;
    const a = ALIASES[raw] ?? raw;
    if (!a.startsWith('-')) {
      positional.push(a);
      continue;
    }
    if (UNSUPPORTED.has(a)) unsupported.push(a);
    if (FLAGS.has(a)) {
      flags.add(a);
    } else if (a === '--custom-tlv') {
      custom.push(parseImgtoolCustomTlv(args[i + 1] as string, args[i + 2] as string));
      i += 2;
    } else if (a === '--custom-tlv-file') {
      customFiles.push({ type: parseImgtoolInt(args[i + 1] as string), value: vectorFile(args[i + 2] as string), custom: true });
      i += 2;
    } else {
      values.set(a, args[i + 1] as string);
      i += 1;
    }
  }
  if (positional.length !== 2) throw err(`expected INFILE OUTFILE, got ${positional.join(' ')}`);
  const [infile, output] = positional as [string, string];
  const int = (name: string): number | undefined => (values.has(name) ? parseImgtoolInt(values.get(name) as string, name) : undefined);

  let payload: Uint8Array;
  let baseAddress: number | undefined;
  if (infile.toLowerCase().endsWith('.hex')) {
    const h = fromIntelHex(vectorText(infile));
    if (!h.ok) throw err(h.detail);
    payload = h.image.bytes;
    baseAddress = h.image.baseAddress;
  } else {
    payload = vectorFile(infile);
  }
  const headerSize = int('--header-size');
  if (headerSize === undefined) throw err("Missing option '-H' / '--header-size'");
  if (headerSize < 32) throw err("Invalid value for '-H' / '--header-size': Minimum value for -H/--header-size is 32");
  const versionText = values.get('--version');
  if (versionText === undefined) throw err("Missing option '-v' / '--version'");
  const keyFile = values.get('--key');
  let key: SignOptions['key'];
  if (keyFile !== undefined) {
    const k = loadKey(vectorText(keyFile), nodeCrypto);
    if (k.kind !== 'private') throw err('Cannot sign with a public-only PEM; signing requires the private key.');
    key = k;
  }
  const fixSig = values.get('--fix-sig');
  const fixPub = values.get('--fix-sig-pubkey');
  const sc = values.get('--security-counter');
  const o: SignOptions = {
    payload,
    ...(baseAddress !== undefined ? { baseAddress } : {}),
    version: parseImgtoolVersion(versionText),
    headerSize,
    padHeader: flags.has('--pad-header'),
    slotSize: int('--slot-size') ?? 0,
    ...(key ? { key } : {}),
    ...(values.has('--public-key-format') ? { publicKeyFormat: values.get('--public-key-format') as 'hash' | 'full' } : {}),
    ...(values.has('--sha') ? { sha: parseImgtoolSha(values.get('--sha') as string) } : {}),
    pure: flags.has('--pure'),
    ...(int('--align') !== undefined ? { align: int('--align') as number } : {}),
    ...(int('--max-align') !== undefined ? { maxAlign: int('--max-align') as number } : {}),
    ...(int('--max-sectors') !== undefined ? { maxSectors: int('--max-sectors') as number } : {}),
    overwriteOnly: flags.has('--overwrite-only'),
    pad: flags.has('--pad'),
    confirm: flags.has('--confirm'),
    test: flags.has('--test'),
    ...(int('--erased-val') !== undefined ? { erasedValue: int('--erased-val') as number } : {}),
    ...(sc !== undefined ? { securityCounter: sc === 'auto' ? 'auto' : parseImgtoolInt(sc, '--security-counter') } : {}),
    ...(values.has('--dependencies') ? { dependencies: parseImgtoolDependencies(values.get('--dependencies') as string) } : {}),
    ...(values.has('--boot-record') ? { bootRecord: values.get('--boot-record') as string } : {}),
    ...(values.has('--vid') ? { vid: values.get('--vid') as string } : {}),
    ...(values.has('--cid') ? { cid: values.get('--cid') as string } : {}),
    customTlvs: [...custom, ...customFiles],
    ...(int('--load-addr') !== undefined ? { loadAddress: int('--load-addr') as number } : {}),
    ...(int('--rom-fixed') !== undefined ? { romFixed: int('--rom-fixed') as number } : {}),
    nonBootable: flags.has('--non-bootable'),
    padSig: flags.has('--pad-sig'),
    ...(values.has('--endian') ? { endian: values.get('--endian') as 'little' | 'big' } : {}),
    ...(fixSig !== undefined && fixPub !== undefined
      ? { fixedSignature: { signature: decodeSignatureFile(vectorText(fixSig)), publicKey: publicOf(loadKey(vectorText(fixPub), nodeCrypto)) } }
      : {}),
    ...(values.has('--vector-to-sign') ? { vectorToSign: values.get('--vector-to-sign') as 'payload' | 'digest' } : {}),
  };
  return {
    options: o,
    output,
    ...(int('--hex-addr') !== undefined ? { hexAddress: int('--hex-addr') as number } : {}),
    ...(values.has('--sig-out') ? { sigOut: values.get('--sig-out') as string } : {}),
    unsupported,
  };
}
