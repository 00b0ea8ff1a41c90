/** The Store conformance suite against a real PostgreSQL server, one fresh schema per test. */
import { test, after } from 'node:test';
import pg from 'pg';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import { runStoreSuite } from './store.suite.js';
import { freshSchemaName, pgTestUrl } from './pg-test-env.js';

const env = pgTestUrl();
if ('skip' in env) {
  test('postgres store suite', { skip: env.skip }, () => undefined);
} else {
  const schemas: string[] = [];
  after(async () => {
    const client = new pg.Client({ connectionString: env.url });
    await client.connect();
    for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    await client.end();
  });
  runStoreSuite('postgres', async () => {
    const schema = freshSchemaName();
    schemas.push(schema);
    const store = openPostgresStore({ url: env.url, schema, maxConnections: 4 });
    await store.migrate();
    return store;
  });
}
