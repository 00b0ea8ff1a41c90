/**
 * device.md §18 scenarios 6–7 (OTA) on virtual time, against fakes of the DDI server and of
 * flash + MCUboot, with golden transcripts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertGolden, createRig, messages } from './support.js';
import { createFakeDdiServer, createFakeFlashBoot, fakeImage } from './ota-fakes.js';
import type { DeviceDriverInput } from '../../src/device/driver.js';
import type { ConfirmPolicy } from '../../src/device/options.js';
import type { FaultWindow } from '../../src/device/faults.js';

const SLOT = 0x20000;
const V2_SIZE = 100_000; // 25 chunks of 4 KiB: two WAIT visits at 16 chunks each

function otaRig(opts: { confirmPolicy?: ConfirmPolicy; faults?: readonly FaultWindow[]; serverSleepMs?: number } = {}) {
  const server = createFakeDdiServer(opts.serverSleepMs);
  const flash = createFakeFlashBoot(fakeImage('1.0.0', 60_000), SLOT);
  const ota: DeviceDriverInput['ota'] = { transport: server, secondary: flash, boot: flash };
  const rig = createRig({
    ota,
    firmware: () => flash.firmware(),
    device: { ota: { slotSizeBytes: SLOT, confirmPolicy: opts.confirmPolicy ?? 'health' } },
    onReset: () => flash.runBootloader(),
    ...(opts.faults === undefined ? {} : { faults: opts.faults }),
  });
  return { rig, server, flash };
}

const MILESTONES = [/Update available/, /Download started/, /Download completed/, /Upgrade requested/, /Image confirmed/];

test('scenario 6: OTA happy path — five milestones once each, no chunk lines, work only in IDLE/WAIT, test → reboot → confirm', async () => {
  const { rig, server, flash } = otaRig();
  server.deploy('311', '1.1.0', fakeImage('1.1.0', V2_SIZE));
  const otaStates = new Set<string>();
  rig.driver.observe((before, _e, _a, effects) => {
    for (const f of effects) {
      if (f.type === 'ddi.request' || f.type.startsWith('flash.') || f.type === 'boot.request_test') otaStates.add(before.app.state);
    }
  });
  rig.driver.start();
  await rig.driver.runUntil(400_000);
  assertGolden('s6-ota-happy-path.log', rig.text());
  const m = messages(rig.text());
  for (const re of MILESTONES) assert.equal(m.filter((l) => re.test(l)).length, 1, `${re} once`);
  assert.ok(m.every((l) => !/chunk|bytes=/.test(l)), 'no per-chunk line');
  assert.deepEqual([...otaStates].sort(), ['IDLE', 'WAIT']);
  assert.equal(flash.primaryVersion, '1.1.0');
  assert.deepEqual(server.feedback, [{ actionId: '311', finished: 'success', details: ['running 1.1.0'] }]);
  assert.equal(server.reportedVersion, '1.1.0');
  // Pacing: 25 chunks took two WAIT visits (16 + 9), each starting from bytes_written.
  const ranges = server.requests.flatMap((r) => (r.kind === 'download' ? [r.fromByte] : []));
  assert.equal(ranges.length, 25);
  assert.deepEqual(ranges, Array.from({ length: 25 }, (_, i) => i * 4096));
  // Health policy: the confirm comes after the new image delivered its first sample.
  const boot2 = m.indexOf(m.find((l) => l.startsWith('*** Booting firmware 1.1.0'))!);
  const firstSend = m.indexOf('<inf> app: State: SEND -> WAIT', boot2);
  const confirmAt = m.findIndex((l) => /Image confirmed/.test(l));
  assert.ok(confirmAt > boot2 && confirmAt < firstSend, 'confirmed during the first SEND phase of the new image');
  assert.equal(rig.driver.delivered.length >= 4, true);
});

test('confirm policy `boot` (literal) confirms in BOOT, before anything came up', async () => {
  const { rig, server } = otaRig({ confirmPolicy: 'boot' });
  server.deploy('311', '1.1.0', fakeImage('1.1.0', V2_SIZE));
  rig.driver.start();
  await rig.driver.runUntil(400_000);
  const m = messages(rig.text());
  const boot2 = m.findIndex((l) => l.startsWith('*** Booting firmware 1.1.0'));
  assert.equal(m[boot2 + 1], '<inf> ota: Image confirmed: version 1.1.0');
  assert.equal(m[boot2 + 2], '<inf> app: State: BOOT -> SENSOR_INIT');
});

test('scenario 7a: a reset mid-download keeps the old image running and restarts the download at 0', async () => {
  const { rig, server, flash } = otaRig();
  server.deploy('311', '1.1.0', fakeImage('1.1.0', V2_SIZE));
  rig.driver.start();
  // The first WAIT visit (t≈0.9 s) downloads 16 chunks; cut power in the middle of them.
  let cutAt = -1;
  rig.driver.observe((_b, e) => {
    if (cutAt < 0 && e.type === 'ota.ddi.result' && e.result.ok && e.result.answer.kind === 'download' && server.requests.filter((r) => r.kind === 'download').length === 7) cutAt = rig.scheduler.nowMs();
  });
  while (cutAt < 0) await rig.driver.runUntil(rig.scheduler.nowMs() + 10);
  rig.driver.powerCut();
  const before = server.requests.length;
  flash.runBootloader();
  rig.driver.start();
  await rig.driver.runUntil(rig.scheduler.nowMs() + 300_000);
  assertGolden('s7a-ota-reset-mid-download.log', rig.text());
  const after = server.requests.slice(before).flatMap((r) => (r.kind === 'download' ? [r.fromByte] : []));
  assert.equal(after[0], 0, 'download restarts from 0 after the reset');
  const banners = messages(rig.text()).filter((l) => l.startsWith('***'));
  assert.equal(banners[1], '*** Booting firmware 1.0.0 (reset: power-on) ***', 'old image keeps running');
  assert.equal(flash.primaryVersion, '1.1.0', 'and the update completes afterwards');
});

test('scenario 7b: a reset before the confirm makes MCUboot revert; the device reports the rollback', async () => {
  const { rig, server, flash } = otaRig();
  server.deploy('311', '1.1.0', fakeImage('1.1.0', V2_SIZE));
  rig.driver.start();
  while (rig.driver.bootCount < 2) await rig.driver.runUntil(rig.scheduler.nowMs() + 100);
  // The test image runs but has not delivered a sample yet: cut power now.
  await rig.driver.runUntil(rig.scheduler.nowMs() + 200);
  assert.equal(flash.bootInfo().confirmed, false);
  rig.driver.powerCut();
  flash.runBootloader();
  rig.driver.start();
  await rig.driver.runUntil(rig.scheduler.nowMs() + 120_000);
  assertGolden('s7b-ota-reset-before-confirm.log', rig.text());
  assert.equal(flash.primaryVersion, '1.0.0');
  assert.deepEqual(server.feedback, [{ actionId: '311', finished: 'failure', details: ['rolled back to 1.0.0'] }]);
  assert.equal(server.reportedVersion, '1.0.0');
  assert.equal(messages(rig.text()).filter((l) => /Image confirmed/.test(l)).length, 0);
});

test('OTA failures log one ERR line each, back off on their own counter and leave the app alone', async () => {
  const { rig, server } = otaRig();
  server.deploy('311', '1.1.0', fakeImage('1.1.0', V2_SIZE));
  server.failNext('poll', 2, -116);
  rig.driver.start();
  await rig.driver.runUntil(200_000);
  const m = messages(rig.text());
  const errs = m.filter((l) => l.startsWith('<err>'));
  assert.deepEqual(errs.slice(0, 2), ['<err> ota: OTA error -116, retry 0, wait 10000 ms', '<err> ota: OTA error -116, retry 1, wait 10000 ms']);
  assert.ok(!m.some((l) => l.includes('-> ERROR')), 'the application never entered ERROR');
  assert.equal(m.filter((l) => /Update available/.test(l)).length, 1);
});

test('the upgrade is requested only with an empty sample buffer', async () => {
  // Sample posts fail (DDI still works) while the download completes; the request waits
  // until the link is back and the queue has drained.
  const { rig, server } = otaRig({ faults: [{ fault: { kind: 'http.5xx', only: 'samples' }, fromMs: 30_000, untilMs: 1_000_000 }] });
  server.deploy('311', '1.1.0', fakeImage('1.1.0', 120_000)); // 30 chunks: two WAIT visits
  const bufferAtRequest: number[] = [];
  rig.driver.observe((before, _e, _a, effects) => {
    if (effects.some((f) => f.type === 'boot.request_test')) bufferAtRequest.push(before.app.samples.count);
  });
  rig.driver.start();
  await rig.driver.runUntil(2_000_000);
  assert.deepEqual(bufferAtRequest, [0]);
  // The download was complete long before: the request waited for the drain after t=1000 s.
  const req = rig.driver.logs.find((r) => r.kind === 'log' && /Upgrade requested/.test(r.message));
  const done = rig.driver.logs.find((r) => r.kind === 'log' && /Download completed/.test(r.message));
  assert.ok(done !== undefined && done.simMs < 200_000);
  assert.ok(req !== undefined && req.simMs > 1_000_000);
});

test('health policy: a test image that never delivers resets itself after the health timeout and MCUboot reverts it', async () => {
  // From just before the swap on, sample posts fail: the new image never becomes healthy.
  const { rig, server, flash } = otaRig({ faults: [{ fault: { kind: 'http.5xx', only: 'samples' }, fromMs: 62_000, untilMs: 2_000_000 }] });
  server.deploy('311', '1.1.0', fakeImage('1.1.0', V2_SIZE));
  rig.driver.start();
  await rig.driver.runUntil(900_000);
  const m = messages(rig.text());
  assert.ok(m.includes('<err> ota: Image 1.1.0 not healthy after 600000 ms, rebooting'));
  assert.deepEqual(m.filter((l) => l.startsWith('***')), [
    '*** Booting firmware 1.0.0 (reset: power-on) ***',
    '*** Booting firmware 1.1.0 (reset: ota) ***',
    '*** Booting firmware 1.0.0 (reset: health) ***',
  ]);
  assert.equal(flash.primaryVersion, '1.0.0');
  assert.equal(m.filter((l) => /Image confirmed/.test(l)).length, 0);
  assert.deepEqual(server.feedback, [{ actionId: '311', finished: 'failure', details: ['rolled back to 1.0.0'] }]);
  assert.equal(server.reportedVersion, '1.0.0');
});

test('firmware faults from the image descriptor: a v3 whose sensor never comes up is not confirmed, resets itself, MCUboot reverts', async () => {
  const { rig, server, flash } = otaRig();
  server.deploy('312', '3.0.0', fakeImage('3.0.0', 50_000, { sensorInitFails: true }));
  rig.driver.start();
  await rig.driver.runUntil(900_000);
  const m = messages(rig.text());
  assert.deepEqual(m.filter((l) => l.startsWith('***')), [
    '*** Booting firmware 1.0.0 (reset: power-on) ***',
    '*** Booting firmware 3.0.0 (reset: ota) ***',
    '*** Booting firmware 1.0.0 (reset: health) ***',
  ]);
  assert.ok(m.includes('<err> app: Error -5, retry 0, wait 10000 ms, recover to SENSOR_INIT'), 'v3 fails in SENSOR_INIT');
  assert.equal(flash.primaryVersion, '1.0.0');
  assert.deepEqual(server.feedback.map((f) => f.finished), ['failure']);
  assert.equal(server.reportedVersion, '1.0.0');
});

test('firmware faults: a v3 that crashes before confirming is reverted at the crash reset', async () => {
  const { rig, server, flash } = otaRig();
  server.deploy('313', '3.0.1', fakeImage('3.0.1', 50_000, { crashAfterMs: 300 }));
  rig.driver.start();
  await rig.driver.runUntil(200_000);
  const banners = messages(rig.text()).filter((l) => l.startsWith('***'));
  assert.deepEqual(banners.slice(0, 3), [
    '*** Booting firmware 1.0.0 (reset: power-on) ***',
    '*** Booting firmware 3.0.1 (reset: ota) ***',
    '*** Booting firmware 1.0.0 (reset: crash) ***',
  ]);
  assert.equal(flash.primaryVersion, '1.0.0');
  assert.deepEqual(server.feedback.map((f) => f.finished), ['failure']);
});

test('firmware faults: a never-confirming build is reverted by the health timeout even though it works', async () => {
  const { rig, server, flash } = otaRig();
  server.deploy('314', '3.1.0', fakeImage('3.1.0', 50_000, { neverConfirms: true }));
  rig.driver.start();
  await rig.driver.runUntil(900_000);
  const m = messages(rig.text());
  assert.equal(m.filter((l) => /Image confirmed/.test(l)).length, 0);
  assert.ok(m.includes('<err> ota: Image 3.1.0 not healthy after 600000 ms, rebooting'));
  assert.equal(flash.primaryVersion, '1.0.0');
});

test('the sample interval comes from the running image’s descriptor', async () => {
  const { rig, server, flash } = otaRig();
  server.deploy('315', '2.0.0', fakeImage('2.0.0', 50_000, {}, 20_000));
  rig.driver.start();
  await rig.driver.runUntil(300_000);
  assert.equal(flash.primaryVersion, '2.0.0');
  const boot2 = rig.driver.logs.flatMap((r) => (r.kind === 'log' && r.boot === rig.driver.bootCount && r.message === 'State: SEND -> WAIT' ? [r.atMs] : []));
  const gaps = boot2.slice(1).map((t, i) => t - boot2[i]!);
  assert.ok(gaps.length >= 3);
  assert.ok(gaps.every((g) => g > 20_000 && g < 21_000), `20 s cycles, got ${gaps.join(', ')}`);
});

test('a cancel during the download stops it: cancel feedback success, no upgrade, the running image stays', async () => {
  const { rig, server, flash } = otaRig({ serverSleepMs: 30_000 }); // the server asks for 30 s polls
  server.deploy('316', '2.0.0', fakeImage('2.0.0', 120_000)); // 30 chunks: two WAIT visits
  rig.driver.start();
  await rig.driver.runUntil(30_000); // the first 16 chunks are written
  server.cancel();
  await rig.driver.runUntil(3_600_000);
  const m = messages(rig.text());
  assert.equal(m.filter((l) => /Download started/.test(l)).length, 1);
  assert.equal(m.filter((l) => /Upgrade requested|Download completed/.test(l)).length, 0);
  assert.deepEqual(server.feedback, [{ actionId: '316', finished: 'cancel:success', details: [] }]);
  assert.equal(flash.primaryVersion, '1.0.0');
  assert.equal(rig.driver.state?.ota?.ctx.update_available, false);
});
