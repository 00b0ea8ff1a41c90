/**
 * @module store/sqlite/sqlite-store
 * The default backend: one SQLite file (better-sqlite3, WAL mode) in the data directory.
 * better-sqlite3 is synchronous; transactions that span awaits take an in-process lock so no
 * other request's statement can slip into them. Prepared statements are cached by SQL text.
 */
import Database from 'better-sqlite3';
import type { Migration, SqlDriver, SqlValue } from '../sql/driver.js';
import { createSqlStore } from '../sql/sql-store.js';
import { schemaV1 } from '../sql/schema.js';
import { schemaV2DeviceTwin } from '../sql/schema-device-twin.js';
import { schemaRolloutCounts } from '../sql/schema-rollout-counts.js';
import type { Store } from '../store.js';

/** Numbered migrations for SQLite; append only. */
export const SQLITE_MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial schema', sql: schemaV1({ int: 'INTEGER', real: 'REAL', serialPk: 'INTEGER PRIMARY KEY' }) },
  { version: 2, name: 'device twin: timeline and slots', sql: schemaV2DeviceTwin({ int: 'INTEGER', real: 'REAL', serialPk: 'INTEGER PRIMARY KEY' }) },
  { version: 3, name: 'rollout memberships by device', sql: 'CREATE INDEX rollout_members_device ON rollout_members (controller_id)' },
  // SQLite cannot change a primary key in place: copy into a new table, then swap names.
  {
    version: 4,
    name: 'samples keyed by boot (uptime stamps restart at every boot)',
    sql: `CREATE TABLE samples_by_boot (
            tenant TEXT NOT NULL, controller_id TEXT NOT NULL, boot_id INTEGER NOT NULL DEFAULT 0, timestamp_ms INTEGER NOT NULL,
            temp INTEGER NOT NULL, received_ms INTEGER NOT NULL, PRIMARY KEY (tenant, controller_id, boot_id, timestamp_ms));
          INSERT INTO samples_by_boot (tenant, controller_id, boot_id, timestamp_ms, temp, received_ms) SELECT tenant, controller_id, 0, timestamp_ms, temp, received_ms FROM samples;
          DROP TABLE samples;
          ALTER TABLE samples_by_boot RENAME TO samples`,
  },
  { version: 5, name: 'rollout counters per stage and status', sql: schemaRolloutCounts({ int: 'INTEGER', real: 'REAL', serialPk: 'INTEGER PRIMARY KEY' }) },
];

function createSqliteDriver(file: string): SqlDriver {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  const cache = new Map<string, Database.Statement>();
  const prepare = (sql: string): Database.Statement => {
    let stmt = cache.get(sql);
    if (stmt === undefined) {
      stmt = db.prepare(sql);
      cache.set(sql, stmt);
    }
    return stmt;
  };
  const allSync = <T>(sql: string, params: readonly SqlValue[]): T[] => {
    const stmt = prepare(sql);
    if (stmt.reader) return stmt.all(...params) as T[];
    stmt.run(...params);
    return [];
  };
  const runSync = (sql: string, params: readonly SqlValue[]): number => {
    const stmt = prepare(sql);
    if (stmt.reader) {
      stmt.all(...params);
      return 0;
    }
    return stmt.run(...params).changes;
  };

  let lock: Promise<void> | null = null;
  const inner: SqlDriver = {
    dialect: 'sqlite',
    all: async (sql, params = []) => allSync(sql, params),
    run: async (sql, params = []) => runSync(sql, params),
    transaction: (fn) => fn(inner),
    close: async () => undefined,
  };
  const driver: SqlDriver = {
    dialect: 'sqlite',
    async all(sql, params = []) {
      while (lock !== null) await lock;
      return allSync(sql, params);
    },
    async run(sql, params = []) {
      while (lock !== null) await lock;
      return runSync(sql, params);
    },
    async transaction(fn) {
      while (lock !== null) await lock;
      let release = (): void => undefined;
      lock = new Promise<void>((resolve) => {
        release = resolve;
      });
      db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(inner);
        db.exec('COMMIT');
        return result;
      } catch (error) {
        db.exec('ROLLBACK');
        throw error;
      } finally {
        lock = null;
        release();
      }
    },
    async close() {
      while (lock !== null) await lock;
      db.close();
    },
  };
  return driver;
}

/** Opens (creating if needed) the SQLite store at `file`; call `migrate()` before use. */
export function openSqliteStore(file: string): Store {
  return createSqlStore({ driver: createSqliteDriver(file), migrations: SQLITE_MIGRATIONS, migrationPreamble: [] });
}
