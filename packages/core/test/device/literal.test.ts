/**
 * The `literal` option reproduces the series' code as written (device.md §7.1), next to the
 * proposals, so the difference shows in transcripts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRig, messages } from './support.js';

test('G2+G4 literal: after a clean cycle WAIT sleeps 0 ms and resumes at BOOT', async () => {
  const rig = createRig({ device: { options: { literal: ['G2', 'G4'] } } });
  rig.driver.start();
  await rig.driver.runUntil(2_000);
  const m = messages(rig.text());
  const i = m.indexOf('<inf> app: State: SEND -> WAIT');
  assert.equal(m[i + 1], '<inf> app: State: WAIT -> BOOT');
  assert.ok(!m.some((l) => l.includes('low-power')));
  assert.ok(rig.driver.delivered.length >= 2, 'it re-initialises and samples every few ticks');
});

test('G2+G4 proposal (default): WAIT sleeps the sample interval and resumes at IDLE', async () => {
  const rig = createRig();
  rig.driver.start();
  await rig.driver.runUntil(2_000);
  assert.ok(messages(rig.text()).includes('<inf> app: Entering low-power WAIT for 60s'));
  assert.equal(rig.driver.delivered.length, 1);
});

test('G24: with net_init failing, literal stops sampling; the decoupled default keeps sampling', async () => {
  const faults = [{ fault: { kind: 'link.down' as const }, fromMs: 0, untilMs: Infinity }];
  const literal = createRig({ faults, device: { options: { literal: ['G24'] } } });
  const decoupled = createRig({ faults });
  literal.driver.start();
  decoupled.driver.start();
  await literal.driver.runUntil(1_000_000);
  await decoupled.driver.runUntil(1_000_000);
  assert.equal(literal.driver.state?.app.samples.count, 0);
  assert.ok(!messages(literal.text()).includes('<inf> app: State: IDLE -> SAMPLE'));
  assert.ok(messages(literal.text()).every((l) => !l.startsWith('<err>') || l.endsWith('recover to NET_INIT')));
  assert.ok((decoupled.driver.state?.app.samples.count ?? 0) >= 3);
});

test('G3 literal with G4 literal: a first-boot sensor failure resumes at BOOT, pinning the backoff at 10 s', async () => {
  const faults = [{ fault: { kind: 'sensor.absent' as const }, fromMs: 0, untilMs: Infinity }];
  const rig = createRig({ faults, device: { options: { literal: ['G3', 'G4'] } } });
  rig.driver.start();
  await rig.driver.runUntil(100_000);
  const errs = messages(rig.text()).filter((l) => l.startsWith('<err>'));
  assert.ok(errs.length >= 5);
  assert.ok(errs.every((l) => l === '<err> app: Error -19, retry 0, wait 10000 ms, recover to BOOT'));
  const proposal = createRig({ faults });
  proposal.driver.start();
  await proposal.driver.runUntil(100_000);
  const waits = messages(proposal.text()).filter((l) => l.startsWith('<err>')).map((l) => /wait (\d+)/.exec(l)?.[1]);
  assert.deepEqual(waits.slice(0, 4), ['10000', '10000', '10000', '60000']);
});

test('G21 literal: a sub-zero reading is reported as a large positive value', async () => {
  const rig = createRig({ temperatureC: () => -1, device: { options: { literal: ['G21'] } } });
  rig.driver.start();
  await rig.driver.runUntil(1_000);
  assert.equal(rig.driver.delivered[0]?.temp_mdeg, 255_000);
  const fixed = createRig({ temperatureC: () => -1 });
  fixed.driver.start();
  await fixed.driver.runUntil(1_000);
  assert.equal(fixed.driver.delivered[0]?.temp_mdeg, -1000);
});
