/**
 * @module test/pg-test-env
 * Where the PostgreSQL tests find their server: `SLOTWISE_TEST_PG_URL` (set by
 * scripts/ci-postgres.sh). Absent in CI (CI=true) is a failure; absent locally is a printed skip.
 * Each call hands out a fresh schema name, so parallel runs never share tables.
 */
import { randomBytes } from 'node:crypto';

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
