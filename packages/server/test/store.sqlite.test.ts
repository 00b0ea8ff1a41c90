/** The Store conformance suite against a real SQLite file (WAL) in a temporary directory. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { runStoreSuite } from './store.suite.js';

const dir = mkdtempSync(join(tmpdir(), 'slotwise-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

runStoreSuite('sqlite', async () => {
  const store = openSqliteStore(join(dir, `store-${n++}.db`));
  await store.migrate();
  return store;
});
