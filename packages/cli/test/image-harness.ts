/**
 * Test harness for `slotwise image`: runs a command line in-process with captured output
 * (the same `runImage` the binary calls), and locates the vectors.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runImage } from '../src/commands/image.js';
import type { CommandIo } from '../src/image/io.js';

export const vectorsDir = fileURLToPath(new URL('../../../../shared/vectors/image/', import.meta.url));
export const cliMain = fileURLToPath(new URL('../dist/main.js', import.meta.url));

/** An imgtool run recorded in the manifest. */
export interface RecordedRun {
  args: string[];
  exit_code: number;
  result?: string;
  stdout?: string;
  json?: unknown;
  error?: string;
  digest?: string;
}

/** The manifest fields these tests read (see the vectors README). */
export interface Vector {
  id: string;
  kind?: string;
  args: string[];
  output: string;
  key: string | null;
  payload: string;
  sha256: string;
  compare: 'bytes' | 'verify';
  tags?: string[];
  nondeterministic_parts?: string[];
  imgtool_stdout?: string;
  dumpinfo?: RecordedRun;
  verify?: RecordedRun;
  verify_public_key?: RecordedRun;
  verify_without_key?: RecordedRun;
  extra_outputs?: Record<string, { file?: string; sha256?: string }>;
  layout?: { header: { hdr_size: number; img_size: number; protected_tlv_size: number }; tlv_info?: { offset: number; tlv_tot: number } };
  enc?: { decrypt_key: string; clear: boolean; recovered_aes_key_hex: string; decrypted_image: string };
  compression?: { applied: boolean; decompressed_sha256: string; decompressed_size: number };
}

export interface NegativeCase {
  id: string;
  input: string;
  verify: RecordedRun;
  verify_without_key?: RecordedRun;
  mcuboot_bootloader?: string;
}

export interface SignError {
  id: string;
  args: string[];
  exit_code: number;
  result: string;
  message: string;
}

export interface Manifest {
  keys: Array<{ file: string; type: string; kind: string; public_pem?: string; public_der_hex?: string }>;
  vectors: Vector[];
  negative: NegativeCase[];
  lenient: NegativeCase[];
  sign_errors: SignError[];
  encrypted: Vector[];
}

export const manifest = JSON.parse(readFileSync(vectorsDir + 'manifest.json', 'utf8')) as Manifest;

export interface RunResult {
  code: number;
  stdout: string;
  stdoutBytes: Uint8Array;
  stderr: string;
}

/** Runs `slotwise image <argv>` in-process with `cwd` as working directory. */
export async function runInProcess(argv: readonly string[], cwd = vectorsDir, answers: readonly string[] = []): Promise<RunResult> {
  const out: Uint8Array[] = [];
  let stderr = '';
  const queue = [...answers];
  const io: CommandIo = {
    cwd,
    isTty: false,
    stdout: (t) => void out.push(typeof t === 'string' ? new TextEncoder().encode(t) : t.slice()),
    stderr: (t) => void (stderr += t),
    prompt: async () => queue.shift(),
  };
  const code = await runImage(argv, io);
  const stdoutBytes = new Uint8Array(Buffer.concat(out));
  return { code, stdout: new TextDecoder().decode(stdoutBytes), stdoutBytes, stderr };
}
