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

test('sqlite: migration 5 fills the rollout counters from the rows of a version-4 database', async () => {
  const file = join(dir, 'v4.db');
  const db = new Database(file);
  db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)');
  for (const m of SQLITE_MIGRATIONS.filter((x) => x.version <= 4)) {
    db.exec(m.sql);
    db.prepare('INSERT INTO schema_migrations (version, name) VALUES (?, ?)').run(m.version, m.name);
  }
  const member = db.prepare('INSERT INTO rollout_members (rollout_id, controller_id, stage) VALUES (?, ?, ?)');
  for (const [r, c, s] of [[1, 'a', 0], [1, 'b', 1], [1, 'c', 1], [2, 'a', 0]] as const) member.run(r, c, s);
  const act = db.prepare(
    `INSERT INTO actions (id, tenant, controller_id, release_id, rollout_id, stage, status, type, require_version_report, created_ms, updated_ms, bytes_served, highest_offset, downloads)
     VALUES (?, 'DEFAULT', ?, 1, ?, ?, ?, 'forced', 1, 1, 1, 0, 0, 0)`,
  );
  for (const [id, c, r, s, st] of [[1, 'a', 1, 0, 'succeeded'], [2, 'b', 1, 1, 'running'], [3, 'c', 1, 1, 'running'], [4, 'a', 2, 0, 'canceled'], [5, 'x', null, null, 'running']] as const) act.run(id, c, r, s, st);
  db.close();
  const store = openSqliteStore(file);
  try {
    await store.migrate();
    assert.deepEqual(await store.countRollout(1), {
      members: [{ stage: 0, count: 1 }, { stage: 1, count: 2 }],
      actions: [{ stage: 0, status: 'succeeded', count: 1 }, { stage: 1, status: 'running', count: 2 }],
    });
    await store.updateAction(2, { status: 'verifying' }, { expect: ['running'] });
    assert.deepEqual((await store.countRollout(1)).actions, [{ stage: 0, status: 'succeeded', count: 1 }, { stage: 1, status: 'running', count: 1 }, { stage: 1, status: 'verifying', count: 1 }]);
    assert.deepEqual(await store.countRollout(2), { members: [{ stage: 0, count: 1 }], actions: [{ stage: 0, status: 'canceled', count: 1 }] });
  } finally {
    await store.close();
  }
});
