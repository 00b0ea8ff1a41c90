/**
 * Telemetry ingestion (at-least-once, de-duplicated, identity from the token) and the poll
 * path's scale properties: no database write per poll (last-seen batched), shallow ETag + 304,
 * jittered sleep.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHarness, seedRelease } from '../harness.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';

test('samples: retried records are stored once; the series comes back in time order', async () => {
  const h = await createHarness();
  try {
    const { token } = await seedRelease(h);
    const send = (payload: unknown) => h.app.inject({ method: 'POST', url: '/api/v1/samples', headers: { authorization: `TargetToken ${token}`, 'content-type': 'application/json' }, payload: JSON.stringify(payload) });
    const first = await send([{ temp: 21_500, timestamp_ms: 60_000 }, { temp: 21_625, timestamp_ms: 120_000 }]);
    assert.deepEqual(first.json(), { accepted: 2, duplicates: 0 });
    const retry = await send({ temp: 21_625, timestamp_ms: 120_000, device_id: 'dev-1' });
    assert.equal(retry.statusCode, 200, 'a duplicate is acknowledged so the device drops it from its queue');
    assert.deepEqual(retry.json(), { accepted: 0, duplicates: 1 });
    assert.equal((await send({ temp: 'hot', timestamp_ms: 1 })).statusCode, 400);
    const series = (await h.admin('GET', '/api/v1/devices/dev-1/samples')).json() as { device: string; samples: { temp: number; timestamp_ms: number }[] };
    assert.deepEqual(series.samples.map((s) => [s.timestamp_ms, s.temp]), [[60_000, 21_500], [120_000, 21_625]]);
    const window = (await h.admin('GET', '/api/v1/devices/dev-1/samples?from=100000')).json() as { samples: unknown[] };
    assert.equal(window.samples.length, 1);
  } finally {
    await h.close();
  }
});

/** A Store that counts calls to methods which write. */
function countingStore(inner: Store): { store: Store; writes: () => number } {
  let writes = 0;
  const readers = /^(get|list|count|find|migrate|close|kind)/;
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function' || typeof prop !== 'string' || readers.test(prop)) return value;
      return (...args: unknown[]) => {
        writes++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, writes: () => writes };
}

test('the poll path writes nothing; last-seen is flushed in one batch', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'slotwise-poll-'));
  const counting = countingStore(openSqliteStore(join(dir, 'db.sqlite')));
  const h = await createHarness({ store: counting.store });
  try {
    const { token, releaseId } = await seedRelease(h);
    await h.admin('POST', '/api/v1/deployments', { controllerId: 'dev-1', releaseId });
    const before = counting.writes();
    for (let i = 0; i < 50; i++) {
      h.clock.advanceBy(1000);
      const res = await h.app.inject({ method: 'GET', url: '/DEFAULT/controller/v1/dev-1', headers: { authorization: `TargetToken ${token}` } });
      assert.equal(res.statusCode, 200);
    }
    assert.equal(counting.writes(), before, '50 polls, 0 writes');
    const seen = (await h.admin('GET', '/api/v1/devices/dev-1')).json() as { lastSeenMs: number };
    assert.equal(seen.lastSeenMs, h.clock.nowMs(), 'the API shows the unflushed last-seen');
    assert.equal(await h.app.slotwise.flushLastSeen(), 1);
    assert.equal(counting.writes(), before + 1, 'one batched write');
    assert.equal((await h.store.getDevice('DEFAULT', 'dev-1'))?.lastSeenMs, h.clock.nowMs());
  } finally {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('poll: ETag + If-None-Match gives 304; jitter spreads the sleep within ±pct', async () => {
  const h = await createHarness();
  try {
    const { token } = await seedRelease(h);
    const auth = { authorization: `TargetToken ${token}` };
    const first = await h.app.inject({ method: 'GET', url: '/DEFAULT/controller/v1/dev-1', headers: auth });
    const etag = String(first.headers.etag);
    assert.match(etag, /^"[0-9a-f]{40}"$/);
    const again = await h.app.inject({ method: 'GET', url: '/DEFAULT/controller/v1/dev-1', headers: { ...auth, 'if-none-match': etag } });
    assert.equal(again.statusCode, 304);
    assert.equal(again.rawPayload.length, 0);
    await h.admin('PUT', '/api/v1/tenants/DEFAULT', { pollSleepSec: 600, pollJitterPct: 20 });
    h.clock.advanceBy(10_000);
    const sleeps = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const body = (await h.app.inject({ method: 'GET', url: '/DEFAULT/controller/v1/dev-1', headers: auth })).json() as { config: { polling: { sleep: string } } };
      const [hh, mm, ss] = body.config.polling.sleep.split(':').map(Number);
      const sec = (hh ?? 0) * 3600 + (mm ?? 0) * 60 + (ss ?? 0);
      assert.ok(sec >= 480 && sec <= 720, `${sec}s within 600 ± 20 %`);
      sleeps.add(body.config.polling.sleep);
    }
    assert.ok(sleeps.size > 5, 'the sleep actually varies');
  } finally {
    await h.close();
  }
});
