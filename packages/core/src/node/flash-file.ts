/**
 * @module node/flash-file
 * A NOR flash whose contents live in a file (a device's flash that survives the process):
 * the file is loaded at open, and every erase and write is written through to the file
 * synchronously as it happens, so killing the process (SIGKILL, Ctrl-C) is a power cut that
 * loses at most the operation in flight — the same guarantee the NOR model gives.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { SlotwiseError } from '../errors.js';
import type { FlashGeometry } from '../flash/geometry.js';
import { createNorFlash, type NorFlash } from '../flash/nor-flash.js';

export interface FlashFile {
  readonly flash: NorFlash;
  /** True when the file did not exist and was created erased. */
  readonly created: boolean;
  close(): void;
}

/** Opens (or creates, all erased) the flash file at `path` for `geometry`. */
export function openFlashFile(path: string, geometry: FlashGeometry): FlashFile {
  const created = !existsSync(path);
  let fd: number;
  try {
    fd = openSync(path, created ? 'w+' : 'r+');
  } catch (e) {
    throw new SlotwiseError('SW_ERR_INPUT_INVALID', `cannot open flash file '${path}': ${(e as Error).message}`, { cause: e });
  }
  const flash = createNorFlash(geometry);
  if (created) {
    const erased = new Uint8Array(64 * 1024).fill(geometry.erasedValue);
    for (let off = 0; off < geometry.size; off += erased.length) writeSync(fd, erased, 0, Math.min(erased.length, geometry.size - off), off);
  } else {
    const size = fstatSync(fd).size;
    if (size !== geometry.size) {
      closeSync(fd);
      throw new SlotwiseError('SW_ERR_INPUT_INVALID', `flash file '${path}' is ${size} bytes, but the layout '${geometry.name}' needs ${geometry.size}; use the layout it was created with`);
    }
    const bytes = new Uint8Array(geometry.size);
    readSync(fd, bytes, 0, bytes.length, 0);
    flash.load(0, bytes);
  }
  const stop = flash.observe((op) => {
    if (op.op === 'write' && op.data !== undefined) writeSync(fd, op.data, 0, op.data.length, op.off);
    else if (op.op === 'erase') writeSync(fd, new Uint8Array(op.len).fill(geometry.erasedValue), 0, op.len, op.off);
  });
  return {
    flash,
    created,
    close() {
      stop();
      closeSync(fd);
    },
  };
}
