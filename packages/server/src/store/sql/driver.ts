/**
 * @module store/sql/driver
 * The minimal SQL port the shared repository code runs on. Statements use `?` placeholders;
 * the PostgreSQL driver rewrites them to `$n`. Integers come back as JS numbers in both.
 */

export type SqlValue = string | number | null;

export interface SqlDriver {
  readonly dialect: 'sqlite' | 'postgres';
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** Runs a statement; resolves to the number of rows changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** Runs `fn` in one transaction on one connection; no other statement interleaves. */
  transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** One numbered migration: applied once, in order, never edited after release. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}
