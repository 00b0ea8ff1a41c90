/**
 * @module test/pg-test-env
 * Where the PostgreSQL tests find their server: `SLOTWISE_TEST_PG_URL` (set by
 * scripts/ci-postgres.sh). Absent in CI (CI=true) is a failure; absent locally is a printed skip.
 * Each call hands out a fresh schema name, so parallel runs never share tables.
 */
import { randomBytes } from 'node:crypto';
import { after } from 'node:test';
import pg from 'pg';

export function pgTestUrl(): { url: string } | { skip: string } {
  const url = process.env.SLOTWISE_TEST_PG_URL;
  if (url !== undefined && url !== '') return { url };
  const reason = 'SLOTWISE_TEST_PG_URL is not set (run: source scripts/ci-postgres.sh && start_ci_postgres)';
  if (process.env.CI === 'true') throw new Error(`PostgreSQL tests cannot run in CI: ${reason}`);
  console.log(`# skipping PostgreSQL tests: ${reason}`);
  return { skip: reason };
}

export function freshSchemaName(): string {
  return `t_${process.pid}_${randomBytes(6).toString('hex')}`;
}

/**
 * Hands out fresh schema names on the server at `url` and drops every one of them when the
 * test file ends (node:test `after`), so a run leaves nothing behind.
 */
export function freshSchemas(url: string): () => string {
  const schemas: string[] = [];
  after(async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    await client.end();
  });
  return () => {
    const schema = freshSchemaName();
    schemas.push(schema);
    return schema;
  };
}
