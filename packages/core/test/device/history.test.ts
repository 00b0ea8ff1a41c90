/**
 * The driver's log and delivered-sample histories are bounded: a device left running keeps only
 * the newest `historyLimit` of each, and a host that forwards them drains them (or keeps none and
 * takes each log record from `onLog`, as the fleet does).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createScheduler } from '../../src/sim/scheduler.js';
import { createDeviceDriver } from '../../src/device/driver.js';
import { createMcp9808Chip } from '../../src/device/mcp9808.js';
import { createNetworkModel } from '../../src/device/network-model.js';

const HOUR = 3_600_000;

function driver(historyLimit?: number) {
  const scheduler = createScheduler(0);
  const d = createDeviceDriver({ scheduler, sensor: createMcp9808Chip(() => 22), network: createNetworkModel(), version: '1.0.0', ...(historyLimit === undefined ? {} : { historyLimit }) });
  d.start();
  return d;
}

test('driver histories: a day of running keeps at most the limit (plus a quarter of slack), newest last', async () => {
  const d = driver(100);
  await d.runUntil(24 * HOUR);
  assert.ok(d.logs.length >= 100 && d.logs.length <= 125, `logs held: ${d.logs.length}`);
  assert.ok(d.delivered.length >= 100 && d.delivered.length <= 125, `samples held: ${d.delivered.length}`);
  const last = d.logs[d.logs.length - 1]!;
  assert.ok(last.simMs > 24 * HOUR - 120_000, 'the newest records are the ones kept');
  assert.ok(d.delivered[d.delivered.length - 1]!.timestamp_ms > 24 * HOUR - 120_000);
});

test('driver histories: draining returns everything held once, in order, and later records keep coming', async () => {
  const d = driver();
  await d.runUntil(HOUR);
  const logs = d.drainLogs();
  const samples = d.drainDelivered();
  assert.ok(logs.length > 100 && samples.length >= 59, `${logs.length} logs, ${samples.length} samples in an hour`);
  assert.equal(logs[0]?.kind, 'banner');
  assert.ok(samples.every((s, i) => i === 0 || s.timestamp_ms > samples[i - 1]!.timestamp_ms));
  assert.deepEqual([d.logs.length, d.delivered.length, d.drainLogs().length], [0, 0, 0]);
  await d.runUntil(2 * HOUR);
  assert.ok(d.delivered.length >= 59 && d.delivered[0]!.timestamp_ms > samples[samples.length - 1]!.timestamp_ms);
});

test('driver histories: a negative or fractional limit is misuse', () => {
  assert.throws(() => driver(-1), RangeError);
  assert.throws(() => driver(1.5), RangeError);
});

test('driver histories: limit 0 keeps nothing, and onLog sees every record as it is made', async () => {
  const scheduler = createScheduler(0);
  const seen: string[] = [];
  const d = createDeviceDriver({
    scheduler,
    sensor: createMcp9808Chip(() => 22),
    network: createNetworkModel(),
    version: '1.0.0',
    historyLimit: 0,
    onLog: (r) => seen.push(r.kind === 'banner' ? `banner ${r.version}` : r.message),
  });
  d.start();
  await d.runUntil(HOUR);
  assert.deepEqual([d.logs.length, d.delivered.length], [0, 0]);
  assert.equal(seen[0], 'banner 1.0.0');
  assert.equal(seen[1], 'State: BOOT -> SENSOR_INIT');
  assert.ok(seen.filter((m) => m === 'State: SAMPLE -> SEND').length >= 59, `${seen.length} records in an hour`);
});
