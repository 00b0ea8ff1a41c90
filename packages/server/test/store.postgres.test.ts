/** The Store conformance suite against a real PostgreSQL server, one fresh schema per test. */
import { test } from 'node:test';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import { runStoreSuite } from './store.suite.js';
import { freshSchemas, pgTestUrl } from './pg-test-env.js';

const env = pgTestUrl();
if ('skip' in env) {
  test('postgres store suite', { skip: env.skip }, () => undefined);
} else {
  const freshSchema = freshSchemas(env.url);
  runStoreSuite('postgres', async () => {
    const schema = freshSchema();
    const store = openPostgresStore({ url: env.url, schema, maxConnections: 4 });
    await store.migrate();
    return store;
  });
}
