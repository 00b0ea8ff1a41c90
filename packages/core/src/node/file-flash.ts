/**
 * @module node/file-flash
 * A flash image file that IS the device: the NOR model is loaded from the file and every erase
 * and write is written through to the file, synchronously, as it happens (through the model's
 * observer seam, flash/nor-flash.ts). Killing the process mid-run therefore leaves exactly the
 * operations done before the kill, like a power cut on a real part; the next run starts from
 * that file. Also writes new flash files atomically (temp file + rename).
 * Does not model the host's own power loss (no fsync): a killed process keeps the page cache.
 */
import { closeSync, fstatSync, openSync, readSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SlotwiseError } from '../errors.js';
import type { FlashGeometry } from '../flash/geometry.js';
import { NorFlash, type FlashOp } from '../flash/nor-flash.js';

/** A NOR flash backed by a file; close it when done. */
export interface FileFlash {
  readonly flash: NorFlash;
  readonly path: string;
  close(): void;
}

export interface FileFlashOptions {
  /** Called after each operation has reached the file (trace writers, slow-motion tests). */
  readonly afterOp?: (op: FlashOp) => void;
}

function describeFsError(error: unknown): string {
  const code = (error as { code?: string }).code;
  switch (code) {
    case 'ENOENT': return 'no such file';
    case 'EISDIR': return 'is a directory';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'EROFS': return 'read-only file system';
    default: return code ?? String(error);
  }
}

/**
 * Opens `path` as the device of `geometry`, read-write.
 * @throws SlotwiseError SW_ERR_INPUT_INVALID when the file cannot be opened or read,
 *   SW_ERR_FLASH_FILE_SIZE when its length is not the device size.
 */
export function openFileFlash(path: string, geometry: FlashGeometry, options: FileFlashOptions = {}): FileFlash {
  let fd: number;
  try {
    fd = openSync(path, 'r+');
  } catch (error) {
    throw new SlotwiseError('SW_ERR_INPUT_INVALID', `cannot open flash file '${path}': ${describeFsError(error)}`, { cause: error });
  }
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    closeSync(fd);
  };
  try {
    const size = fstatSync(fd).size;
    if (size !== geometry.size) {
      throw new SlotwiseError('SW_ERR_FLASH_FILE_SIZE',
        `flash file '${path}' has ${size} bytes but the layout ${geometry.name} describes a ${geometry.size}-byte device (0x${geometry.size.toString(16)}); create it with 'slotwise flash create' for this layout`);
    }
    const bytes = new Uint8Array(size);
    for (let at = 0; at < size;) {
      const n = readSync(fd, bytes, at, Math.min(1 << 20, size - at), at);
      if (n === 0) break;
      at += n;
    }
    const flash = new NorFlash(geometry);
    flash.load(0, bytes);
    const erased = new Uint8Array(Math.max(...geometry.sectors.map((s) => s.size))).fill(geometry.erasedValue);
    flash.observe((op) => {
      if (op.op === 'write') writeFully(fd, op.data as Uint8Array, op.off);
      else for (let done = 0; done < op.len;) {
        const n = Math.min(erased.length, op.len - done);
        writeFully(fd, erased.subarray(0, n), op.off + done);
        done += n;
      }
      options.afterOp?.(op);
    });
    return { flash, path, close };
  } catch (error) {
    close();
    throw error;
  }
}

function writeFully(fd: number, data: Uint8Array, position: number): void {
  for (let done = 0; done < data.length;) done += writeSync(fd, data, done, data.length - done, position + done);
}

/**
 * Writes the whole device to `path` atomically (temp file beside it, then rename), so a failed
 * or killed `create` never leaves a half-written flash file.
 * @throws SlotwiseError SW_ERR_INPUT_INVALID when the file cannot be written.
 */
export function writeFlashFile(path: string, flash: NorFlash): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(temp, flash.toBytes(), { mode: 0o644 });
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new SlotwiseError('SW_ERR_INPUT_INVALID', `cannot write flash file '${path}': ${describeFsError(error)}`, { cause: error });
  }
}
