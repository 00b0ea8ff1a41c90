/**
 * Test-side access to ../shared/vectors/image (manifest.json and its files), read-only.
 * The path is `<repo root>/../shared/vectors/image`, as the common rules prescribe.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const VECTOR_DIR = fileURLToPath(new URL('../../../../shared/vectors/image/', import.meta.url));

export interface TlvLayout {
  type: number;
  name: string;
  len: number;
  offset: number;
  value_hex: string;
}

export interface VerifyRecord {
  args: string[];
  exit_code: number;
  result: string;
  digest?: string;
}

export interface Layout {
  header: {
    magic: number;
    load_addr: number;
    hdr_size: number;
    protected_tlv_size: number;
    img_size: number;
    flags: number;
    flag_names: string[];
    version: { major: number; minor: number; revision: number; build: number };
    version_str: string;
    pad1: number;
    header_bytes_hex: string;
  };
  body: { offset: number; length: number };
  protected_tlv_info?: { offset: number; magic: number; tlv_tot: number };
  protected_tlvs?: TlvLayout[];
  hashed_region: { offset: number; length: number };
  tlv_info: { offset: number; magic: number; tlv_tot: number };
  tlvs: TlvLayout[];
  tlv_end: number;
  hash: { tlv: string; alg: string; hex: string; matches_hashed_region: boolean };
  trailer?: {
    slot_size: number;
    magic_offset: number;
    magic_hex: string;
    image_ok_offset: number | null;
    image_ok?: number;
    erased_val: number;
    write_align: number;
    max_align: number;
    max_sectors: number;
    overwrite_only: boolean;
    trailer_size: number;
    trailer_offset: number;
  };
}

export interface VectorEntry {
  id: string;
  description: string;
  tags: string[];
  kind: 'image' | 'vector-to-sign';
  payload: string;
  key: string | null;
  args: string[];
  output: string;
  output_size: number;
  sha256: string;
  compare: 'bytes' | 'verify';
  nondeterministic_parts?: string[];
  verify?: VerifyRecord;
  verify_public_key?: VerifyRecord;
  verify_without_key?: VerifyRecord;
  layout?: Layout;
  hex?: { min_addr: number; max_addr: number; segments: Array<[number, number]>; binary_sha256: string };
  extra_outputs?: unknown;
  equals?: unknown;
}

export interface NegativeEntry {
  id: string;
  description: string;
  base: string;
  input: string;
  sha256: string;
  mutation: { kind: string };
  verify: VerifyRecord;
  verify_without_key?: VerifyRecord;
  expected: 'reject' | 'imgtool-accepts';
  mcuboot_bootloader?: string;
}

export interface KeyEntry {
  id: string;
  file: string;
  type: string;
  kind: 'private' | 'public';
  public_der_hex: string;
  public_pem?: string;
}

export interface EncryptedEntry extends VectorEntry {
  enc: unknown;
}

export interface SignErrorEntry {
  id: string;
  args: string[];
  exit_code: number;
  result: string;
  message: string;
}

export interface Manifest {
  keys: KeyEntry[];
  vectors: VectorEntry[];
  negative: NegativeEntry[];
  lenient: NegativeEntry[];
  encrypted: EncryptedEntry[];
  sign_errors: SignErrorEntry[];
}

export const manifest: Manifest = JSON.parse(readFileSync(join(VECTOR_DIR, 'manifest.json'), 'utf8')) as Manifest;

/** Reads a file named by a manifest path. */
export function vectorFile(rel: string): Uint8Array {
  const b = readFileSync(join(VECTOR_DIR, rel));
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

export function vectorText(rel: string): string {
  return readFileSync(join(VECTOR_DIR, rel), 'utf8');
}

/** The value after `--name` in an imgtool argument list. */
export function argValue(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** The `--key` file of a verify record, if any. */
export function verifyKeyFile(record: VerifyRecord): string | undefined {
  return argValue(record.args, '--key') ?? argValue(record.args, '-k');
}
