/**
 * @module sim/memory-blob-store
 * A BlobStore in memory, for simulations: no files, nothing to clean up, and reads that cost a
 * Buffer view instead of a file stream.
 */
import { Readable } from 'node:stream';
import { digestsOf, type BlobDigests, type BlobStore } from '../blob/blob-store.js';

export function createMemoryBlobStore(): BlobStore {
  const blobs = new Map<string, Uint8Array>();
  return {
    async put(bytes): Promise<BlobDigests> {
      const d = digestsOf(bytes);
      if (!blobs.has(d.sha256)) blobs.set(d.sha256, bytes.slice());
      return d;
    },
    async size(sha256) {
      return blobs.get(sha256)?.byteLength ?? null;
    },
    read(sha256, start, end) {
      const b = blobs.get(sha256);
      if (b === undefined) throw new RangeError(`memory blob store: no blob ${sha256}`);
      return Readable.from([Buffer.from(b.buffer, b.byteOffset + start, end - start + 1)]);
    },
  };
}
