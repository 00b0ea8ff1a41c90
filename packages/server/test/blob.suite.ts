/**
 * @module test/blob.suite
 * Conformance suite for BlobStore backends (file system, PostgreSQL): content addressing,
 * idempotent puts, exact sizes, byte ranges across chunk boundaries, absent blobs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BlobStore } from '../src/blob/blob-store.js';

async function collect(stream: NodeJS.ReadableStream): Promise<Uint8Array> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return new Uint8Array(Buffer.concat(parts));
}

export function runBlobSuite(name: string, open: () => Promise<{ blobs: BlobStore; close(): Promise<void> }>): void {
  test(`${name}: put, size, ranged reads across chunk boundaries`, async () => {
    const { blobs, close } = await open();
    try {
      const bytes = new Uint8Array(600_000).map((_, i) => (i * 31 + 7) & 0xff);
      const d = await blobs.put(bytes);
      assert.match(d.sha256, /^[0-9a-f]{64}$/);
      assert.equal(d.sizeBytes, bytes.length);
      assert.deepEqual(await blobs.put(bytes), d, 'idempotent');
      assert.equal(await blobs.size(d.sha256), bytes.length);
      assert.equal(await blobs.size('0'.repeat(64)), null);
      assert.deepEqual(await collect(blobs.read(d.sha256, 0, bytes.length - 1)), bytes);
      for (const [s, e] of [[0, 0], [262_143, 262_144], [100, 524_300], [599_999, 599_999]] as const) {
        assert.deepEqual(await collect(blobs.read(d.sha256, s, e)), bytes.subarray(s, e + 1), `${s}-${e}`);
      }
    } finally {
      await close();
    }
  });
}
