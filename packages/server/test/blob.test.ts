/** The BlobStore suite against the file-system store and the PostgreSQL store. */
import { test, after } from 'node:test';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFsBlobStore } from '../src/blob/blob-store.js';
import { openPostgresBlobStore } from '../src/store/postgres/postgres-blob-store.js';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import { runBlobSuite } from './blob.suite.js';
import { freshSchemas, pgTestUrl } from './pg-test-env.js';

const dir = mkdtempSync(join(tmpdir(), 'slotwise-blob-'));
after(() => rmSync(dir, { recursive: true, force: true }));

runBlobSuite('fs', async () => ({ blobs: createFsBlobStore(join(dir, 'fs')), close: async () => undefined }));

test('fs: leftover temp files of an interrupted write are removed at start-up', () => {
  const root = join(dir, 'crash');
  mkdirSync(join(root, 'ab'), { recursive: true });
  writeFileSync(join(root, 'ab', `ab${'0'.repeat(62)}.tmp-123456`), 'partial');
  createFsBlobStore(root);
  assert.deepEqual(readdirSync(join(root, 'ab')), []);
});

const env = pgTestUrl();
if ('skip' in env) {
  test('postgres blob suite', { skip: env.skip }, () => undefined);
} else {
  const freshSchema = freshSchemas(env.url);
  runBlobSuite('postgres', async () => {
    const schema = freshSchema();
    const store = openPostgresStore({ url: env.url, schema });
    await store.migrate();
    await store.close();
    const blobs = openPostgresBlobStore({ url: env.url, schema });
    return { blobs, close: () => blobs.close() };
  });
}
