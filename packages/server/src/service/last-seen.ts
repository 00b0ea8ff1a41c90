/**
 * @module service/last-seen
 * Batched last-seen bookkeeping: a poll only records the time in memory; `flush()` writes the
 * batch in one transaction (hawkBit does the same: queue + flush every 10 s). The caller owns
 * the timer (main.ts) and flushes on shutdown; at most one interval of last-seen is lost in a
 * crash, never an action transition.
 */
import type { Store } from '../store/store.js';

export interface LastSeenBatcher {
  seen(tenant: string, controllerId: string, atMs: number): void;
  /** Time seen but not yet flushed, if any (so reads are fresh without a write). */
  pending(tenant: string, controllerId: string): number | undefined;
  flush(): Promise<number>;
}

/** Rows per write transaction: small enough that polls waiting on the database never stall long. */
const CHUNK = 500;

export function createLastSeenBatcher(store: Store, maxBatch = 10_000): LastSeenBatcher {
  let batch = new Map<string, { tenant: string; controllerId: string; atMs: number }>();
  const key = (tenant: string, id: string): string => `${tenant}\u0000${id}`;
  const self: LastSeenBatcher = {
    seen(tenant, controllerId, atMs) {
      batch.set(key(tenant, controllerId), { tenant, controllerId, atMs });
      if (batch.size >= maxBatch) void self.flush();
    },
    pending: (tenant, controllerId) => batch.get(key(tenant, controllerId))?.atMs,
    async flush() {
      if (batch.size === 0) return 0;
      const rows = [...batch.values()];
      batch = new Map();
      for (let i = 0; i < rows.length; i += CHUNK) {
        await store.touchDevices(rows.slice(i, i + CHUNK));
        // Let queued requests run between chunks (SQLite transactions hold the connection).
        if (i + CHUNK < rows.length) await new Promise<void>((resolve) => setImmediate(resolve));
      }
      return rows.length;
    },
  };
  return self;
}
