/**
 * @module store/postgres/postgres-blob-store
 * Artifact bytes in PostgreSQL, so several stateless server processes share one fleet with no
 * shared file system. Content-addressed like the file store: chunks of 256 KiB in
 * `blob_chunks`, and the `blobs` row — written in the same transaction, last — is what makes a
 * blob exist, so a reader never sees a partial artifact. Reads stream chunk by chunk.
 */
import { Readable } from 'node:stream';
import pg from 'pg';
import { digestsOf, type BlobStore } from '../../blob/blob-store.js';

export const BLOB_CHUNK_BYTES = 256 * 1024;

export interface PostgresBlobStore extends BlobStore {
  close(): Promise<void>;
}

export function openPostgresBlobStore(options: { url: string; schema?: string; maxConnections?: number }): PostgresBlobStore {
  const schema = options.schema;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new RangeError(`postgres schema: expected [a-z_][a-z0-9_]*, got ${schema}`);
  const pool = new pg.Pool({ connectionString: options.url, max: options.maxConnections ?? 4, ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }) });
  const self: PostgresBlobStore = {
    async put(bytes) {
      const d = digestsOf(bytes);
      if ((await self.size(d.sha256)) === d.sizeBytes) return d;
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        // Two processes uploading the same bytes: the advisory lock makes the second wait and skip.
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [d.sha256]);
        const exists = await client.query('SELECT 1 FROM blobs WHERE sha256 = $1', [d.sha256]);
        if (exists.rowCount === 0) {
          await client.query('DELETE FROM blob_chunks WHERE sha256 = $1', [d.sha256]);
          for (let i = 0, idx = 0; i < bytes.length; i += BLOB_CHUNK_BYTES, idx++) {
            const chunk = bytes.subarray(i, Math.min(bytes.length, i + BLOB_CHUNK_BYTES));
            await client.query('INSERT INTO blob_chunks (sha256, idx, data) VALUES ($1, $2, $3)', [d.sha256, idx, Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)]);
          }
          await client.query('INSERT INTO blobs (sha256, size_bytes) VALUES ($1, $2)', [d.sha256, d.sizeBytes]);
        }
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
      return d;
    },
    async size(sha256) {
      const r = await pool.query<{ size_bytes: string }>('SELECT size_bytes FROM blobs WHERE sha256 = $1', [sha256]);
      const row = r.rows[0];
      return row === undefined ? null : Number(row.size_bytes);
    },
    read(sha256, start, end) {
      const first = Math.floor(start / BLOB_CHUNK_BYTES);
      const last = Math.floor(end / BLOB_CHUNK_BYTES);
      async function* chunks(): AsyncGenerator<Buffer> {
        for (let idx = first; idx <= last; idx += 4) {
          const upto = Math.min(last, idx + 3);
          const r = await pool.query<{ idx: number; data: Buffer }>('SELECT idx, data FROM blob_chunks WHERE sha256 = $1 AND idx BETWEEN $2 AND $3 ORDER BY idx', [sha256, idx, upto]);
          for (const row of r.rows) {
            const base = row.idx * BLOB_CHUNK_BYTES;
            const from = Math.max(0, start - base);
            const to = Math.min(row.data.length, end - base + 1);
            yield row.data.subarray(from, to);
          }
        }
      }
      return Readable.from(chunks());
    },
    close: () => pool.end(),
  };
  return self;
}
