/**
 * @module image/io
 * File and terminal I/O shared by the `slotwise image` subcommands: reading inputs with
 * errors a person can act on, writing outputs atomically (temp file + rename, so a failed
 * command never leaves a half-written file), and the output sinks a command writes to (so
 * tests can run commands in-process and capture what they print).
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { SlotwiseError } from '@slotwise/core/errors';

/** Where a command prints and which directory relative paths start from. */
export interface CommandIo {
  readonly cwd: string;
  stdout(text: string | Uint8Array): void;
  stderr(text: string): void;
  /** True when stderr is an interactive terminal (progress bars). */
  readonly isTty: boolean;
  /** Where progress bars draw (default: process.stderr). */
  readonly progressStream?: NodeJS.WritableStream;
  /** Asks for a secret (key passphrase); undefined when no terminal/stdin can answer. */
  prompt?(question: string): Promise<string | undefined>;
}

/** The process's own stdout/stderr. */
export function processIo(): CommandIo {
  return {
    cwd: process.cwd(),
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    isTty: process.stderr.isTTY === true,
    prompt: promptSecret,
  };
}

async function promptSecret(question: string): Promise<string | undefined> {
  const { createInterface } = await import('node:readline');
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: process.stdin.isTTY === true });
  const muted = rl as unknown as { _writeToOutput?: (s: string) => void };
  if (process.stdin.isTTY === true) {
    process.stderr.write(question);
    muted._writeToOutput = () => undefined;
  }
  return new Promise((resolvePromise) => {
    let answered = false;
    rl.question(process.stdin.isTTY === true ? '' : question, (answer) => {
      answered = true;
      if (process.stdin.isTTY === true) process.stderr.write('\n');
      rl.close();
      resolvePromise(answer);
    });
    rl.on('close', () => {
      if (!answered) resolvePromise(undefined);
    });
  });
}

/** Resolves `path` against the command's working directory. */
export function resolvePath(io: CommandIo, path: string): string {
  return resolve(io.cwd, path);
}

/** Reads a whole input file.
 * @throws SlotwiseError SW_ERR_INPUT_INVALID naming the file and the reason. */
export function readInput(io: CommandIo, path: string, what: string): Uint8Array {
  try {
    const buffer = readFileSync(resolvePath(io, path));
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : String(error);
    throw new SlotwiseError('SW_ERR_INPUT_INVALID', `cannot read ${what} '${path}': ${reason}`, { cause: error });
  }
}

/** Reads a whole input file in 1 MiB chunks, reporting each chunk (for progress bars).
 * @throws SlotwiseError SW_ERR_INPUT_INVALID naming the file and the reason. */
export function readInputChunked(io: CommandIo, path: string, what: string, onChunk: (bytes: number) => void): Uint8Array {
  let fd: number;
  try {
    fd = openSync(resolvePath(io, path), 'r');
  } catch {
    return readInput(io, path, what);
  }
  try {
    const size = fstatSync(fd).size;
    const out = new Uint8Array(size);
    for (let at = 0; at < size; ) {
      const n = readSync(fd, out, at, Math.min(1 << 20, size - at), at);
      if (n === 0) break;
      at += n;
      onChunk(n);
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

/** Reads a text input (PEM keys). */
export function readTextInput(io: CommandIo, path: string, what: string): string {
  return new TextDecoder().decode(readInput(io, path, what));
}

/** Writes `data` (or its parts, in order) to `path` atomically: a temp file beside it, then
 * rename. */
export function writeOutput(io: CommandIo, path: string, data: Uint8Array | string | readonly Uint8Array[]): void {
  const target = resolvePath(io, path);
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
  try {
    if (typeof data === 'string' || data instanceof Uint8Array) writeFileSync(temp, data, { mode: 0o644 });
    else {
      const fd = openSync(temp, 'w', 0o644);
      try {
        for (const part of data) for (let at = 0; at < part.length; ) at += writeSync(fd, part, at, part.length - at);
      } finally {
        closeSync(fd);
      }
    }
    renameSync(temp, target);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new SlotwiseError('SW_ERR_INPUT_INVALID', `cannot write '${path}': ${(error as { code?: string }).code ?? String(error)}`, { cause: error });
  }
}

/** Writes a private key file (mode 0600). */
export function writeSecretOutput(io: CommandIo, path: string, data: string): void {
  const target = resolvePath(io, path);
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
  try {
    writeFileSync(temp, data, { mode: 0o600 });
    renameSync(temp, target);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new SlotwiseError('SW_ERR_INPUT_INVALID', `cannot write '${path}': ${(error as { code?: string }).code ?? String(error)}`, { cause: error });
  }
}
