/** The Store conformance suite against a real PostgreSQL server, one fresh schema per test. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { POSTGRES_MIGRATIONS, openPostgresStore } from '../src/store/postgres/postgres-store.js';
import { runStoreSuite } from './store.suite.js';
import { freshSchemas, pgTestUrl } from './pg-test-env.js';

const env = pgTestUrl();
if ('skip' in env) {
  test('postgres store suite', { skip: env.skip }, () => undefined);
} else {
  const freshSchema = freshSchemas(env.url);
  let last = '';
  runStoreSuite(
    'postgres',
    async () => {
      last = freshSchema();
      const store = openPostgresStore({ url: env.url, schema: last, maxConnections: 4 });
      await store.migrate();
      return store;
    },
    // Another pool on the same schema: a second server process.
    { second: async () => openPostgresStore({ url: env.url, schema: last, maxConnections: 4 }) },
  );

  test('postgres: migration 6 fills the rollout counters from the rows of a version-5 database', async () => {
    const schema = freshSchema();
    const client = new pg.Client({ connectionString: env.url });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA ${schema}; SET search_path TO ${schema}`);
      await client.query('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)');
      for (const m of POSTGRES_MIGRATIONS.filter((x) => x.version <= 5)) {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      }
      for (const [r, c, st] of [[1, 'a', 0], [1, 'b', 1], [1, 'c', 1]] as const) await client.query('INSERT INTO rollout_members (rollout_id, controller_id, stage) VALUES ($1, $2, $3)', [r, c, st]);
      for (const [id, c, r, st, status] of [[1, 'a', 1, 0, 'succeeded'], [2, 'b', 1, 1, 'running'], [3, 'c', 1, 1, 'running'], [4, 'x', null, null, 'running']] as const) {
        await client.query(
          `INSERT INTO actions (id, tenant, controller_id, release_id, rollout_id, stage, status, type, require_version_report, created_ms, updated_ms, bytes_served, highest_offset, downloads)
           VALUES ($1, 'DEFAULT', $2, 1, $3, $4, $5, 'forced', 1, 1, 1, 0, 0, 0)`,
          [id, c, r, st, status],
        );
      }
    } finally {
      await client.end();
    }
    const store = openPostgresStore({ url: env.url, schema, maxConnections: 2 });
    try {
      await store.migrate();
      assert.deepEqual(await store.countRollout(1), {
        members: [{ stage: 0, count: 1 }, { stage: 1, count: 2 }],
        actions: [{ stage: 0, status: 'succeeded', count: 1 }, { stage: 1, status: 'running', count: 2 }],
      });
    } finally {
      await store.close();
    }
  });
}
