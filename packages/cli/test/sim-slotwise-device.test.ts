/**
 * The fleet's `slotwise` devices are the device of issue 5 (the reducer of device/step.ts with
 * its OTA task, run by device/driver.ts), not a look-alike: every step they take is the
 * reducer's, their trace lines are its log lines and milestones, their samples reach the real
 * server's telemetry over the fleet link, and the Step 8 ring buffer carries samples across an
 * outage. These tests need the real server in-process (what `slotwise sim run` drives), so they
 * live with the CLI, which depends on both core and server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createScheduler } from '@slotwise/core';
import { step, type DeviceEffect, type DeviceEvent, type DeviceState } from '@slotwise/core/device/index';
import { SlotwiseFleetDevice, createFleet, parseScenario, type FleetResult, type FleetServerPort, type Scenario } from '@slotwise/core/fleet/index';
import { nodeCrypto } from '@slotwise/core/node/crypto';
import { createSimServer, type SimServer } from '@slotwise/server/sim/fleet-server';
import { SIM_EPOCH_MS, simSigningKey } from '@slotwise/server/sim/run-scenario';

const examples = new URL('../../../examples/', import.meta.url);
const load = (name: string): Scenario => parseScenario(JSON.parse(readFileSync(new URL(`${name}.json`, examples), 'utf8')));

interface Run {
  readonly result: FleetResult;
  readonly devices: readonly SlotwiseFleetDevice[];
  readonly server: SimServer;
  admin(url: string): Promise<unknown>;
}

/**
 * Runs a scenario on the in-process server. With `telemetry`, the port registers each device
 * through the management API first (its target token), so SEND posts reach `/api/v1/samples`.
 */
async function runFleet(scenario: Scenario, options: { telemetry?: boolean; traceDevice?: string; before?: (devices: readonly SlotwiseFleetDevice[]) => void } = {}): Promise<Run> {
  const scheduler = createScheduler(SIM_EPOCH_MS);
  const server = await createSimServer({ clock: scheduler, seed: scenario.seed, pollSleepSec: scenario.pollSleepSec });
  const admin = async (method: 'GET' | 'POST', url: string, body?: unknown): Promise<unknown> => {
    const res = await server.transport.request({
      method,
      url,
      headers: { authorization: `Bearer ${server.adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    assert.ok(res.status < 300, `${method} ${url}: ${res.status} ${new TextDecoder().decode(res.body)}`);
    return JSON.parse(new TextDecoder().decode(res.body)) as unknown;
  };
  const port: FleetServerPort = {
    transport: server.transport,
    operate: (s, images) => server.operate(s, images),
    housekeeping: () => server.housekeeping(),
    rollouts: () => server.rollouts(),
    restart: () => server.restart(),
    ...(options.telemetry === true ? { deviceToken: async (controllerId: string) => ((await admin('POST', '/api/v1/devices', { controllerId })) as { token: string }).token } : {}),
  };
  const fleet = createFleet({
    scenario,
    scheduler,
    crypto: nodeCrypto,
    key: simSigningKey(),
    server: port,
    tenant: server.tenant,
    gatewayToken: server.gatewayToken,
    ...(options.traceDevice === undefined ? {} : { traceDevice: options.traceDevice }),
  });
  const devices = fleet.devices.filter((d): d is SlotwiseFleetDevice => d instanceof SlotwiseFleetDevice);
  options.before?.(devices);
  const result = await fleet.run();
  return { result, devices, server, admin: (url) => admin('GET', url) };
}

const lines = (r: FleetResult, who: string): string[] => r.trace.filter((l) => l.split(' ')[1] === who).map((l) => l.slice(l.indexOf(' ', l.indexOf(' ') + 1) + 1));

test('every step a fleet slotwise device takes is the issue 5 reducer step, and its trace is the reducer log with the five OTA milestones once each', async (t) => {
  const s = { ...load('happy-rollout'), devices: 4 };
  const steps: { before: DeviceState; event: DeviceEvent; after: DeviceState; effects: readonly DeviceEffect[] }[] = [];
  const run = await runFleet(s, { traceDevice: 'sim-000000', before: (ds) => ds.forEach((d) => d.driver.observe((before, event, after, effects) => void steps.push({ before, event, after, effects }))) });
  t.after(() => run.server.close());
  assert.equal(run.devices.length, 4);
  assert.equal(run.result.outcomes.updated, 4);
  assert.ok(steps.length > 400, `${steps.length} reducer steps`);
  for (const x of steps.filter((_, i) => i % 7 === 0)) assert.deepEqual(step(x.before, x.event), [x.after, x.effects]);
  const events = new Set(steps.map((x) => x.event.type));
  for (const e of ['tick', 'sensor.init.done', 'net.init.done', 'sensor.sample.done', 'http.send.done', 'sleep.elapsed', 'ota.ddi.result', 'ota.hash.done']) assert.ok(events.has(e as DeviceEvent['type']), `no ${e} event`);

  const mine = lines(run.result, 'sim-000000');
  for (const l of ['<inf> app: State: BOOT -> SENSOR_INIT', '<inf> app: State: IDLE -> SAMPLE', '<inf> app: State: SAMPLE -> SEND', '<inf> app: State: SEND -> WAIT', '<inf> app: Entering low-power WAIT for 60s']) {
    assert.ok(mine.includes(l), `trace lacks "${l}"`);
  }
  const milestones = mine.filter((l) => l.startsWith('<inf> ota: ') || l.startsWith('boot '));
  assert.deepEqual(milestones, [
    'boot 1.0.0 (power-on, swap none, confirmed)',
    '<inf> ota: Update available: version 2.0.0, 53904 bytes',
    '<inf> ota: Download started',
    '<inf> ota: Download completed: 53904 bytes',
    '<inf> ota: Upgrade requested: test swap to 2.0.0, rebooting',
    'boot 2.0.0 (ota, swap test, test)',
    '<inf> ota: Image confirmed: version 2.0.0',
  ]);
});

test('samples go over the fleet link into the server telemetry, one boot id per boot; the confirm reaches the server as DDI feedback and configData', async (t) => {
  const s = { ...load('happy-rollout'), devices: 3 };
  const run = await runFleet(s, { telemetry: true });
  t.after(() => run.server.close());
  assert.equal(run.result.outcomes.updated, 3);
  for (const d of run.devices) {
    const series = (await run.admin(`/api/v1/devices/${d.controllerId}/samples?limit=10000`)) as { samples: { temp: number; timestamp_ms: number; boot_id: number; received_ms: number }[] };
    assert.ok(d.samplesDelivered >= 10, `${d.controllerId}: ${d.samplesDelivered} samples delivered`);
    assert.equal(series.samples.length, d.samplesDelivered, `${d.controllerId}: stored vs delivered`);
    // Boot 1 ran 1.0.0, boot 2 is the OTA reboot into 2.0.0 (G22: uptime stamps restart per boot).
    assert.deepEqual([...new Set(series.samples.map((x) => x.boot_id))].sort(), [1, 2]);
    for (const x of series.samples) {
      assert.ok(x.temp > 15_000 && x.temp < 30_000, `temperature ${x.temp} m°C`);
      assert.ok(x.timestamp_ms >= 0 && x.timestamp_ms < run.result.virtualMs, `uptime stamp ${x.timestamp_ms}`);
      assert.ok(x.received_ms >= SIM_EPOCH_MS && x.received_ms <= SIM_EPOCH_MS + run.result.virtualMs);
    }
    const device = (await run.admin(`/api/v1/devices/${d.controllerId}`)) as { attributes?: Record<string, string>; runningVersion?: string | null };
    assert.equal(device.attributes?.['fw_version'], '2.0.0', JSON.stringify(device));
  }
  const rollout = run.result.rollouts[0]!;
  assert.equal(rollout.stages.reduce((n, st) => n + st.succeeded, 0), 3, 'the confirm feedback closed every action with success');
});

test('the ring buffer carries samples across a link outage: sends fail with the ERROR/backoff policy, sampling goes on, the queue drains oldest first afterwards, and a long outage drops the oldest with a WRN line', async (t) => {
  const base = load('happy-rollout');
  const outage = { fromMs: 600_000, untilMs: 600_000 + 6 * 3_600_000 };
  const s: Scenario = {
    ...base,
    devices: 2,
    durationMs: outage.untilMs + 1_800_000,
    networks: { wifi: { ...base.networks['wifi']!, outages: [outage] } },
    // Nothing to roll out; one late step keeps the run going past the outage.
    operator: [{ atMs: outage.untilMs + 900_000, op: 'upload', release: 'v2' }],
  };
  const run = await runFleet(s, { telemetry: true, traceDevice: 'sim-000001' });
  t.after(() => run.server.close());
  const mine = lines(run.result, 'sim-000001');
  assert.ok(mine.includes('<err> app: Error -114, retry 0, wait 10000 ms, recover to NET_INIT'), 'first send failure during the outage');
  // G24 (decoupled): a failed Wi-Fi join recovers at IDLE, so sampling goes on at backoff pace;
  // the SEND after it fails with -ENOTCONN and recovers at NET_INIT.
  assert.ok(mine.includes('<err> app: Error -114, retry 1, wait 10000 ms, recover to IDLE'), 'Wi-Fi join failure');
  assert.ok(mine.includes('<err> app: Error -128, retry 6, wait 300000 ms, recover to NET_INIT'), 'backoff reaches 300 s');
  assert.ok(mine.includes('<wrn> app: Sample buffer full, dropping oldest'));
  const d = run.devices[1]!;
  const series = (await run.admin(`/api/v1/devices/${d.controllerId}/samples?limit=10000`)) as { samples: { timestamp_ms: number; received_ms: number }[] };
  const endAbs = SIM_EPOCH_MS + outage.untilMs;
  const startAbs = SIM_EPOCH_MS + outage.fromMs;
  // Samples taken during the outage (uptime stamps; one boot, powered on in the first 30 s) arrive after it.
  const bootAbs = Math.min(...series.samples.map((x) => x.received_ms - x.timestamp_ms));
  const at = (x: { timestamp_ms: number }): number => bootAbs + x.timestamp_ms;
  const takenDuring = series.samples.filter((x) => at(x) >= startAbs && at(x) < endAbs);
  assert.ok(takenDuring.length >= 28, `${takenDuring.length} samples taken during the outage reached the server`);
  assert.ok(takenDuring.every((x) => x.received_ms >= endAbs), 'every record taken during the outage is delivered after the link returns');
  // The first connection after the outage drains the whole queue back-to-back: a full buffer.
  const first = Math.min(...series.samples.filter((x) => x.received_ms >= endAbs).map((x) => x.received_ms));
  const burst = series.samples.filter((x) => x.received_ms >= first && x.received_ms < first + 10_000);
  assert.equal(burst.length, 32, 'SAMPLE_BUFFER_SIZE records in the first burst');
  const order = burst.map((x) => x.timestamp_ms);
  assert.deepEqual(order, [...order].sort((a, b) => a - b), 'oldest first');
  // Drop-oldest: what the buffer dropped never reaches the server, and the oldest kept is well into the outage.
  assert.ok(at(burst[0]!) > startAbs + 3_600_000, 'the oldest outage records were dropped');
  assert.equal(series.samples.length, d.samplesDelivered);
});

test('a power cut planned mid-download hits the device through its own secondary-slot write: RAM is lost, the download restarts from byte 0 after power-on, and the device still ends updated', async (t) => {
  const s = load('power-cuts');
  const first = await runFleet(s);
  t.after(() => first.server.close());
  const cut = first.devices.filter((d) => d.powerLosses > 0 && d.completedBytes > 0);
  assert.ok(cut.length >= 5, `${cut.length} slotwise devices lost power`);
  const withRestart: string[] = [];
  for (const d of cut.slice(0, 2)) {
    const again = await runFleet(s, { traceDevice: d.controllerId });
    t.after(() => again.server.close());
    const mine = lines(again.result, d.controllerId);
    const started = mine.flatMap((l, i) => (l === '<inf> ota: Download started' ? [i] : []));
    const cutAt = mine.indexOf('power cut (flash operation refused)');
    assert.ok(cutAt > 0, `${d.controllerId}: a power cut`);
    if (started.length >= 2 && started[0]! < cutAt && started[1]! > cutAt) withRestart.push(d.controllerId);
    assert.ok(mine.includes('<inf> ota: Image confirmed: version 2.0.0'), `${d.controllerId}: ends confirmed on 2.0.0`);
    assert.equal(again.result.outcomes.bricked, 0);
  }
  assert.ok(withRestart.length >= 1, 'at least one device was cut mid-download and started the download again from 0');
});
