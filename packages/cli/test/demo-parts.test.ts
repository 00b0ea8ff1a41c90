/**
 * The parts of `slotwise demo` below the end-to-end test (packages/dashboard/test/e2e.test.ts):
 * the data directory is reset only when it carries the demo's marker; the fleet plan keeps
 * canaries healthy and places each fault once; a simulated device boots its factory image
 * through the boot twin and reports the boot decision and its flash slots; the real-time loop
 * advances devices to virtual time = start + elapsed × speed on the injected clock.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRandom } from '@slotwise/core';
import { nodeCrypto } from '@slotwise/core/node/crypto';
import { DEMO_MARKER, buildDemoFirmware, planFleet, prepareDataDir } from '../src/demo/setup.js';
import { createSimDevice, type SimDevice } from '../src/demo/sim-device.js';
import { createRealTimeFleet } from '../src/demo/real-time-fleet.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'slotwise-demo-'));

test('prepareDataDir: creates and marks; resets only a marked directory; refuses anything else untouched', () => {
  const root = tmp();
  try {
    const dir = join(root, 'demo');
    assert.deepEqual(prepareDataDir(dir), { ok: true, reset: false });
    assert.ok(existsSync(join(dir, DEMO_MARKER)));
    writeFileSync(join(dir, 'slotwise.db'), 'old');
    assert.deepEqual(prepareDataDir(dir), { ok: true, reset: true });
    assert.equal(existsSync(join(dir, 'slotwise.db')), false, 'the previous demo data is gone');

    const other = join(root, 'precious');
    mkdirSync(other);
    writeFileSync(join(other, 'slotwise.db'), 'production');
    const r = prepareDataDir(other);
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.reason, /not a demo data directory/);
    assert.ok(existsSync(join(other, 'slotwise.db')), 'nothing deleted');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('planFleet: a quarter lab, healthy canaries, each power-cut fault and the crash loop once, same plan for the same seed', () => {
  const plan = planFleet(50, createRandom(1), 0);
  assert.equal(plan.length, 50);
  assert.equal(plan.filter((p) => p.group === 'lab').length, 12);
  assert.deepEqual(plan.filter((p) => p.group === 'field').slice(0, 4).map((p) => p.labels), [[], [], [], []], 'canaries carry no fault');
  assert.equal(plan.filter((p) => p.crashLoop).length, 1);
  assert.equal(plan.filter((p) => p.faults.cutMidDownloadAfterWrites !== undefined).length, 1);
  assert.equal(plan.filter((p) => p.faults.cutMidSwapAfterOps !== undefined).length, 1);
  assert.ok(plan.filter((p) => p.faults.network !== undefined).length >= 5);
  assert.ok(plan.every((p) => p.group === 'field' || p.labels.length === 0), 'the lab stays healthy for the operator');
  assert.deepEqual(planFleet(50, createRandom(1), 0), plan);
  assert.equal(new Set(plan.map((p) => p.controllerId)).size, 50);
});

test('a simulated device boots its factory image through the boot twin and reports the decision and its slots', async () => {
  const dir = tmp();
  try {
    const builds = buildDemoFirmware(dir);
    const device = createSimDevice({
      controllerId: 'field-001',
      token: 't'.repeat(32),
      tenant: 'DEFAULT',
      factoryImage: builds.v100.image,
      bootConfig: builds.bootConfig,
      crypto: nodeCrypto,
      // No server: every exchange fails as "no connection", as when the link is down.
      transport: { request: () => Promise.reject(new Error('offline')) },
      random: createRandom(7),
      startMs: 1_000_000,
      wallOf: (v) => v,
      swapReplayWallMs: 1000,
    });
    await device.advanceTo(1_000_000 + 120_000);
    const r = device.takeReports(5_000);
    const boot = r.events.find((e) => e.kind === 'boot');
    assert.equal(boot?.title, 'MCUboot: booted 1.0.0+0 (no swap)');
    assert.ok(Array.isArray(boot?.details?.events) && (boot.details.events as unknown[]).length > 0, 'the decision path travels as data');
    assert.ok(r.events.some((e) => e.kind === 'reset' && e.title === 'Booted firmware 1.0.0 (reset: power-on)'));
    assert.ok(r.events.some((e) => e.kind === 'app' && e.title === 'BOOT → SENSOR_INIT'));
    assert.deepEqual(r.events.map((e) => e.seq), r.events.map((_, i) => i), 'sequence numbers are dense and in order');
    assert.ok(r.events.every((e, i) => i === 0 || e.atMs >= r.events[i - 1]!.atMs), 'the timeline is in time order');
    const slots = r.slots;
    assert.ok(slots !== null);
    assert.equal(slots.runningVersion, '1.0.0');
    const [primary, secondary, scratch] = slots.slots;
    assert.deepEqual([primary?.role, secondary?.role, scratch?.role], ['primary', 'secondary', 'scratch']);
    assert.equal(primary?.image?.version, '1.0.0');
    assert.equal(primary?.usedSectors, Math.ceil(builds.v100.image.length / 4096));
    assert.equal(primary?.trailer?.magic, 'unset', 'a factory image has no trailer');
    assert.equal(secondary?.image, null);
    assert.equal(secondary?.usedSectors, 0);
    assert.equal(slots.swap, null);
    assert.equal(device.takeReports(6_000).slots, null, 'no flash change, no new picture');
    assert.ok(r.samples.length >= 2, 'delivered samples are forwarded');
    // What was forwarded is drained from the driver, so hours of demo hold no growing history.
    assert.deepEqual([device.runtime.driver.logs.length, device.runtime.driver.delivered.length], [0, 0]);
    await device.advanceTo(1_000_000 + 600_000);
    const later = device.takeReports(7_000);
    assert.ok(later.samples.length >= 7, 'later samples are still forwarded after a drain');
    assert.deepEqual([device.runtime.driver.logs.length, device.runtime.driver.delivered.length], [0, 0]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('real-time fleet: devices advance to start + elapsed × speed on the injected clock; reports are posted; a failing device is set aside', async () => {
  const targets: number[] = [];
  const posted: string[] = [];
  const errors: string[] = [];
  const fake = (id: string, fail: boolean): SimDevice =>
    ({
      controllerId: id,
      advanceTo: async (t: number) => {
        if (fail) throw new Error('boom');
        targets.push(t);
      },
      takeReports: () => ({ events: [{ seq: 0, atMs: 0, kind: 'app', title: 'x' }], slots: null, samples: [] }),
    }) as unknown as SimDevice;
  const clock = [10_000, 10_010, 10_020, 10_030, 10_040, 10_050, 10_060, 10_070, 10_080, 10_090];
  let i = 0;
  const fleet = createRealTimeFleet({
    devices: [fake('a', false), fake('b', true)],
    speed: 100,
    virtualStartMs: 5_000_000,
    wallStartMs: 10_000,
    now: () => clock[Math.min(i++, clock.length - 1)]!,
    tickMs: 1,
    reportEveryMs: 0,
    post: async (d) => void posted.push(d.controllerId),
    onDeviceError: (d) => void errors.push(d.controllerId),
  });
  fleet.start();
  while (targets.length < 3) await new Promise((r) => setImmediate(r));
  await fleet.stop();
  assert.ok(targets.every((t) => (t - 5_000_000) % 1000 === 0 && t >= 5_000_000), `targets ${targets.join(',')} are start + 10 ms steps × 100`);
  assert.ok(targets.every((t, k) => k === 0 || t > targets[k - 1]!), 'virtual time only moves forward');
  assert.deepEqual(errors, ['b'], 'the failing device is reported once and set aside');
  assert.ok(posted.includes('a') && !posted.includes('b'));
});
