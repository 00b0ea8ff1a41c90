/**
 * @module store/postgres/postgres-store
 * The scale backend: PostgreSQL through a `pg` pool, so several stateless server processes can
 * share one fleet. `?` placeholders become `$n`; BIGINT comes back as a JS number (all our
 * integers are below 2^53). Migrations take a transaction-scoped advisory lock, so concurrent
 * starts apply them once. An optional `schema` isolates parallel test runs.
 */
import pg from 'pg';
import type { Migration, SqlDriver, SqlValue } from '../sql/driver.js';
import { createSqlStore } from '../sql/sql-store.js';
import { schemaV1 } from '../sql/schema.js';
import { schemaV2DeviceTwin } from '../sql/schema-device-twin.js';
import { schemaRolloutCounts } from '../sql/schema-rollout-counts.js';
import type { Store } from '../store.js';

/** Numbered migrations for PostgreSQL; append only. */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial schema', sql: schemaV1({ int: 'BIGINT', real: 'DOUBLE PRECISION', serialPk: 'BIGSERIAL PRIMARY KEY' }) },
  {
    version: 2,
    name: 'artifact bytes in the database (postgres-blob-store.ts)',
    sql: `CREATE TABLE blobs (sha256 TEXT PRIMARY KEY, size_bytes BIGINT NOT NULL);
          CREATE TABLE blob_chunks (sha256 TEXT NOT NULL, idx INTEGER NOT NULL, data BYTEA NOT NULL, PRIMARY KEY (sha256, idx))`,
  },
  { version: 3, name: 'device twin: timeline and slots', sql: schemaV2DeviceTwin({ int: 'BIGINT', real: 'DOUBLE PRECISION', serialPk: 'BIGSERIAL PRIMARY KEY' }) },
  { version: 4, name: 'rollout memberships by device', sql: 'CREATE INDEX rollout_members_device ON rollout_members (controller_id)' },
  {
    version: 5,
    name: 'samples keyed by boot (uptime stamps restart at every boot)',
    sql: `ALTER TABLE samples ADD COLUMN boot_id BIGINT NOT NULL DEFAULT 0;
          ALTER TABLE samples DROP CONSTRAINT samples_pkey;
          ALTER TABLE samples ADD PRIMARY KEY (tenant, controller_id, boot_id, timestamp_ms)`,
  },
  { version: 6, name: 'rollout counters per stage and status', sql: schemaRolloutCounts({ int: 'BIGINT', real: 'DOUBLE PRECISION', serialPk: 'BIGSERIAL PRIMARY KEY' }) },
];

const INT8_OID = 20;
const NUMERIC_OID = 1700;

function toDollar(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID || oid === NUMERIC_OID) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

function clientDriver(client: pg.PoolClient): SqlDriver {
  const self: SqlDriver = {
    dialect: 'postgres',
    all: async <T>(sql: string, params: readonly SqlValue[] = []) => (await client.query({ text: toDollar(sql), values: [...params], types })).rows as T[],
    run: async (sql, params = []) => (await client.query({ text: toDollar(sql), values: [...params], types })).rowCount ?? 0,
    transaction: (fn) => fn(self),
    close: async () => undefined,
  };
  return self;
}

export interface PostgresStoreOptions {
  url: string;
  /** Schema to create and use (tests use one per run); default `public`. */
  schema?: string;
  maxConnections?: number;
}

function createPostgresDriver(options: PostgresStoreOptions): SqlDriver {
  const schema = options.schema;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new RangeError(`postgres schema: expected [a-z_][a-z0-9_]*, got ${schema}`);
  const pool = new pg.Pool({ connectionString: options.url, max: options.maxConnections ?? 10, ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }) });
  return {
    dialect: 'postgres',
    all: async <T>(sql: string, params: readonly SqlValue[] = []) => (await pool.query({ text: toDollar(sql), values: [...params], types })).rows as T[],
    run: async (sql, params = []) => (await pool.query({ text: toDollar(sql), values: [...params], types })).rowCount ?? 0,
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(clientDriver(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/** Connects to PostgreSQL at `options.url`; call `migrate()` before use. */
export function openPostgresStore(options: PostgresStoreOptions): Store {
  return createSqlStore({
    driver: createPostgresDriver(options),
    migrations: POSTGRES_MIGRATIONS,
    migrationPreamble: ['SELECT pg_advisory_xact_lock(7305510)', ...(options.schema === undefined ? [] : [`CREATE SCHEMA IF NOT EXISTS ${options.schema}`])],
  });
}
