/**
 * @module image/imgtool-values
 * Parsers for imgtool's option values (scripts/imgtool/main.py): Python `int(x, 0)` integers,
 * `-d "(ID, VERSION), ..."` dependencies, `--custom-tlv TAG VALUE`, `--sha`, `--version`.
 * Shared by the CLI and the test translator so both read imgtool command lines the same way.
 * Every failure is a SlotwiseError SW_ERR_INPUT_INVALID with imgtool's wording where it has one.
 */
import { fromHex } from '../bytes/hex.js';
import { utf8Encode } from '../bytes/utf8.js';
import { SlotwiseError } from '../errors.js';
import type { HashAlgorithm } from '../crypto/port.js';
import type { ImageDependency } from './sign.js';
import type { TlvInput } from './tlv.js';
import { parseVersion, type ImageVersion } from './version.js';

function usage(message: string): SlotwiseError {
  return new SlotwiseError('SW_ERR_INPUT_INVALID', message);
}

/** Python `int(text, 0)`: decimal, 0x/0o/0b prefixes, underscores between digits. */
export function parseImgtoolInt(text: string, what = 'value'): number {
  const t = text.trim().toLowerCase().replace(/(?<=[0-9a-f])_(?=[0-9a-f])/g, '');
  const m = /^([+-]?)(0x[0-9a-f]+|0o[0-7]+|0b[01]+|0+|[1-9][0-9]*)$/.exec(t);
  if (!m) throw usage(`Invalid ${what}: '${text}' is not an integer`);
  const body = m[2] as string;
  const n = body.startsWith('0x') ? parseInt(body.slice(2), 16) : body.startsWith('0o') ? parseInt(body.slice(2), 8) : body.startsWith('0b') ? parseInt(body.slice(2), 2) : parseInt(body, 10);
  if (!Number.isSafeInteger(n)) throw usage(`Invalid ${what}: '${text}' is too large`);
  return m[1] === '-' ? -n : n;
}

/** `-v/--version`. */
export function parseImgtoolVersion(text: string): ImageVersion {
  const r = parseVersion(text);
  if (!r.ok) throw usage(r.reason === 'SYNTAX' ? 'Invalid version number, should be maj.min.rev+build with later parts optional' : r.detail);
  return r.version;
}

/** `-d/--dependencies "(ID, VERSION), (ID, VERSION)"`. */
export function parseImgtoolDependencies(text: string): ImageDependency[] {
  const ids = [...text.matchAll(/\((\d+)/g)].map((m) => m[1] as string);
  if (ids.length === 0) throw usage(`Image dependency format is invalid: ${text}`);
  const versions = [...text.matchAll(/,\s*([0-9.+]+)\)/g)].map((m) => m[1] as string);
  if (ids.length !== versions.length) throw usage(`There's a mismatch between the number of dependency images and versions in: ${text}`);
  return ids.map((id, i) => ({ imageId: Number(id), version: parseImgtoolVersion(versions[i] as string) }));
}

/** `--custom-tlv TAG VALUE`: VALUE `0x…` is hex bytes, anything else UTF-8 text. */
export function parseImgtoolCustomTlv(tag: string, value: string): TlvInput {
  const type = parseImgtoolInt(tag, 'custom TLV tag');
  if (value.startsWith('0x')) {
    const digits = value.slice(2);
    if (digits.length % 2 !== 0) throw usage('Custom TLV length is odd.');
    try {
      return { type, value: fromHex(digits), custom: true };
    } catch {
      throw usage(`Custom TLV value '${value}' is not hex`);
    }
  }
  return { type, value: utf8Encode(value), custom: true };
}

/** `--sha auto|256|384|512`. */
export function parseImgtoolSha(text: string): 'auto' | HashAlgorithm {
  if (text === 'auto') return 'auto';
  if (text === '256' || text === '384' || text === '512') return `sha${text}`;
  throw usage(`Invalid value for '--sha': '${text}' is not one of 'auto', '256', '384', '512'`);
}
