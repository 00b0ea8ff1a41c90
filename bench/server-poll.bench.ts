/**
 * DDI poll throughput and latency with 100 000 registered devices in SQLite (the default
 * store): the server runs in this process on 127.0.0.1, autocannon runs in a separate process
 * (bench/lib/load.mjs) cycling through all devices with their own target tokens, 100
 * connections. Goal (issue 4): >= 10 000 polls/s with p99 < 20 ms. Last-seen is batched as in
 * production (flushed every 10 s and at 10 000 entries), so the run includes those writes.
 * Prints numbers; never asserts. The machine's cores are shared: read the numbers as a floor.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { createManualClock, createRandom } from '../packages/core/src/index.js';
import { systemClock } from '../packages/core/src/node/system.js';
import { buildApp } from '../packages/server/src/app.js';
import { createFsBlobStore } from '../packages/server/src/blob/blob-store.js';
import { createIdGenerator } from '../packages/server/src/service/context.js';
import { openSqliteStore } from '../packages/server/src/store/sqlite/sqlite-store.js';

const DEVICES = Number(process.env.SLOTWISE_BENCH_DEVICES ?? 100_000);
const DURATION_SEC = Number(process.env.SLOTWISE_BENCH_SECONDS ?? 10);
const LOAD = fileURLToPath(new URL('./lib/load.mjs', import.meta.url));

const dir = mkdtempSync(join(tmpdir(), 'slotwise-bench-poll-'));
try {
  const store = openSqliteStore(join(dir, 'slotwise.db'));
  await store.migrate();
  const ids = createIdGenerator(createRandom(7));
  const seedClock = createManualClock(Date.UTC(2026, 10, 27));
  const t0 = performance.now();
  const paths: { path: string; headers: Record<string, string> }[] = [];
  for (let i = 0; i < DEVICES; i++) {
    const controllerId = `bench-${String(i).padStart(6, '0')}`;
    const token = ids.token();
    await store.createDevice({ tenant: 'DEFAULT', controllerId, token, attributes: {}, tags: [], group: null, profile: 'zephyr', runningVersion: '1.0.0', previousVersion: null, lastSeenMs: null, createdMs: seedClock.nowMs(), configRequested: false, activeActionId: null, installedActionId: null });
    paths.push({ path: `/DEFAULT/controller/v1/${controllerId}`, headers: { authorization: `TargetToken ${token}` } });
  }
  console.log(`seeded ${DEVICES} devices in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const app = await buildApp({ store, blobs: createFsBlobStore(join(dir, 'artifacts')), clock: systemClock, random: createRandom(1), ids, inspectImage: async () => ({ kind: 'opaque' }), logger: false });
  const flush = setInterval(() => void app.slotwise.flushLastSeen(), 10_000);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as AddressInfo).port;
  const spec = join(dir, 'load.json');
  writeFileSync(spec, JSON.stringify({ url: `http://127.0.0.1:${port}`, connections: 100, durationSec: DURATION_SEC, paths }));

  // The load process runs while this process serves; spawnSync would block our event loop.

  const child = spawn(process.execPath, [LOAD, spec], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve) => child.once('exit', () => resolve()));
  clearInterval(flush);
  const flushed = await app.slotwise.flushLastSeen();
  const r = JSON.parse(out) as { requestsPerSec: number; p50: number; p99: number; total: number; non2xx: number; errors: number };
  console.log(`polls/s ${r.requestsPerSec.toFixed(0)}  p50 ${r.p50} ms  p99 ${r.p99} ms  (${r.total} polls, ${r.non2xx} non-2xx, ${r.errors} errors; goal >= 10000/s, p99 < 20 ms)`);
  console.log(`machine: ${cpus().length} cores (shared with other jobs); last-seen rows flushed at the end: ${flushed}`);
  await app.close();
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
