/**
 * @module blob/blob-store
 * Content-addressed artifact bytes on the file system: `<dir>/<sha256[0:2]>/<sha256>`. A write
 * goes to a temp file in the same directory, is fsynced, then renamed into place and the
 * directory fsynced, so a reader (or a crash) never sees a half-written artifact: the name
 * exists only once the bytes are durable. Leftover temp files are removed at start-up.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { open, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';

export interface BlobDigests {
  sha256: string;
  sha1: string;
  md5: string;
  sizeBytes: number;
}

export interface BlobStore {
  /** Stores the bytes (idempotent) and returns their digests. */
  put(bytes: Uint8Array): Promise<BlobDigests>;
  /** Size in bytes, or null when absent. */
  size(sha256: string): Promise<number | null>;
  /** Bytes [start, end] inclusive. */
  read(sha256: string, start: number, end: number): Readable;
}

export function digestsOf(bytes: Uint8Array): BlobDigests {
  return {
    sha256: createHash('sha256').update(bytes).digest('hex'),
    sha1: createHash('sha1').update(bytes).digest('hex'),
    md5: createHash('md5').update(bytes).digest('hex'),
    sizeBytes: bytes.byteLength,
  };
}

const SHA256 = /^[0-9a-f]{64}$/;

export function createFsBlobStore(dir: string): BlobStore {
  mkdirSync(dir, { recursive: true });
  for (const sub of readdirSync(dir)) {
    const path = join(dir, sub);
    if (!statSync(path).isDirectory()) continue;
    for (const name of readdirSync(path)) if (name.includes('.tmp-')) rmSync(join(path, name), { force: true });
  }
  const pathOf = (sha256: string): string => {
    if (!SHA256.test(sha256)) throw new RangeError(`blob: expected a lower-case sha256, got ${sha256}`);
    return join(dir, sha256.slice(0, 2), sha256);
  };
  return {
    async put(bytes) {
      const d = digestsOf(bytes);
      const final = pathOf(d.sha256);
      if ((await this.size(d.sha256)) === d.sizeBytes) return d;
      const sub = join(dir, d.sha256.slice(0, 2));
      mkdirSync(sub, { recursive: true });
      const tmp = `${final}.tmp-${randomBytes(6).toString('hex')}`;
      const fh = await open(tmp, 'wx', 0o644);
      try {
        await fh.writeFile(bytes);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, final);
      const dh = await open(sub, 'r');
      try {
        await dh.sync();
      } finally {
        await dh.close();
      }
      return d;
    },
    async size(sha256) {
      try {
        return (await stat(pathOf(sha256))).size;
      } catch {
        return null;
      }
    },
    read(sha256, start, end) {
      return createReadStream(pathOf(sha256), { start, end, highWaterMark: 512 * 1024 });
    },
  };
}

/** Artifact bytes in memory: for simulations and tests that should not touch the disk. */
export function createMemoryBlobStore(): BlobStore {
  const blobs = new Map<string, Uint8Array>();
  return {
    async put(bytes) {
      const d = digestsOf(bytes);
      if (!blobs.has(d.sha256)) blobs.set(d.sha256, bytes.slice());
      return d;
    },
    size: async (sha256) => blobs.get(sha256)?.byteLength ?? null,
    read(sha256, start, end) {
      const b = blobs.get(sha256);
      if (b === undefined) throw new RangeError(`blob ${sha256} does not exist`);
      return Readable.from([Buffer.from(b.buffer, b.byteOffset + start, end - start + 1)]);
    },
  };
}
