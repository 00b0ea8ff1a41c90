/** The Store conformance suite against a real SQLite file (WAL) in a temporary directory. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { SQLITE_MIGRATIONS, openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { runStoreSuite } from './store.suite.js';

const dir = mkdtempSync(join(tmpdir(), 'slotwise-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

runStoreSuite('sqlite', async () => {
  const store = openSqliteStore(join(dir, `store-${n++}.db`));
  await store.migrate();
  return store;
});

test('sqlite: migration 4 keeps the samples of a version-3 database, as boot 0', async () => {
  const file = join(dir, 'v3.db');
  const db = new Database(file);
  db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)');
  for (const m of SQLITE_MIGRATIONS.filter((x) => x.version <= 3)) {
    db.exec(m.sql);
    db.prepare('INSERT INTO schema_migrations (version, name) VALUES (?, ?)').run(m.version, m.name);
  }
  db.prepare('INSERT INTO samples (tenant, controller_id, timestamp_ms, temp, received_ms) VALUES (?, ?, ?, ?, ?)').run('DEFAULT', 'd1', 60_000, 21_500, 7);
  db.close();
  const store = openSqliteStore(file);
  try {
    await store.migrate();
    assert.deepEqual(await store.listSamples('DEFAULT', 'd1'), [{ tenant: 'DEFAULT', controllerId: 'd1', bootId: 0, timestampMs: 60_000, temp: 21_500, receivedMs: 7 }]);
    assert.deepEqual(await store.insertSamples([{ tenant: 'DEFAULT', controllerId: 'd1', bootId: 1, timestampMs: 60_000, temp: 21_000, receivedMs: 8 }]), { inserted: 1, duplicates: 0 });
  } finally {
    await store.close();
  }
});
