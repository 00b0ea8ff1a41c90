/**
 * Fleet simulation against the real server in-process (issue 6 "Must show"): determinism by
 * seed, safety in every example scenario (0 bricked, every device boots a valid image), the
 * canary stage catching a bad build and pausing the rollout, and Range resume keeping the bytes
 * sent close to the image size on a lossy link.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createFleet, formatReport, parseScenario, reportJson, type Scenario } from '@slotwise/core/fleet/index';
import { createScheduler } from '@slotwise/core';
import { nodeCrypto } from '@slotwise/core/node/crypto';
import { runScenario, simSigningKey } from '../../src/sim/run-scenario.js';
import { createSimServer } from '../../src/sim/fleet-server.js';

const examples = new URL('../../../../examples/', import.meta.url);
const load = (name: string): Scenario => parseScenario(JSON.parse(readFileSync(new URL(`${name}.json`, examples), 'utf8')));

test('determinism: same scenario and seed give the same report and digest; another seed another digest', async () => {
  const s = load('happy-rollout');
  const a = await runScenario(s, { devices: 12 });
  const b = await runScenario(s, { devices: 12 });
  assert.equal(a.digest, b.digest);
  assert.equal(formatReport(a), formatReport(b));
  assert.deepEqual(reportJson(a), reportJson(b));
  const c = await runScenario(s, { devices: 12, seed: s.seed + 1 });
  assert.notEqual(c.digest, a.digest);
});

test('safety: every example ends with 0 bricked and every device booting a valid image', async () => {
  const names = readdirSync(examples).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, ''));
  assert.ok(names.length >= 5);
  for (const name of names) {
    const r = await runScenario(load(name));
    assert.equal(r.outcomes.bricked, 0, `${name}: bricked`);
    assert.deepEqual(r.notBootable, [], `${name}: unbootable devices`);
    assert.equal(Object.values(r.outcomes).reduce((x, y) => x + y, 0), r.devices);
    if (name === 'power-cuts') assert.ok(r.powerLosses >= 10, `power-cuts: ${r.powerLosses} power losses`);
    if (name !== 'canary-bad-build') assert.equal(r.outcomes.updated, r.devices, `${name}: ${formatReport(r)}`);
  }
});

test('canary: the bad build rolls back on the canary stage and the rollout pauses before the next stage', async () => {
  const r = await runScenario(load('canary-bad-build'));
  const canary = r.rollouts[0]!;
  assert.equal(canary.state, 'paused');
  assert.match(canary.reason ?? '', /failure ratio/);
  assert.equal(canary.currentStage, 0);
  assert.equal(canary.stages[0]!.rolledBack + canary.stages[0]!.failed, 3);
  assert.equal(canary.stages[1]!.open + canary.stages[1]!.succeeded + canary.stages[1]!.failed, 0, 'stage 2 never assigned');
  assert.equal(r.outcomes.rolled_back, 3);
  assert.equal(r.outcomes.updated, 0);
  assert.deepEqual(r.versions, { '2.0.0': r.devices });
});

test('accounting: Range resume keeps bytes sent per image byte <= 1.05 on the lossy cellular fleet', async () => {
  const r = await runScenario(load('lossy-cellular'), { traceDevice: 'none' });
  assert.ok(r.bytesPerImageByte !== null && r.bytesPerImageByte <= 1.05, `ratio ${r.bytesPerImageByte}`);
  assert.ok(r.bytesSent >= r.imageBytesCompleted);
  // Without resume the same links cost much more: the figure is Range resume's doing.
  const s = load('lossy-cellular');
  const noResume: Scenario = { ...s, groups: s.groups.map((g) => ({ ...g, overrides: { ...g.overrides, resume: false, persistProgress: false } })) };
  const worse = await runScenario(noResume);
  assert.ok(worse.bytesPerImageByte === null || worse.bytesPerImageByte > 1.2, `without resume: ${worse.bytesPerImageByte}`);
});

test('adding a device changes nothing in how devices 0..N-1 are drawn (group, link, power cuts)', async () => {
  const s = load('power-cuts');
  const shape = async (n: number) => {
    const scheduler = createScheduler(0);
    const server = await createSimServer({ clock: scheduler, seed: 1, pollSleepSec: 300 });
    try {
      const fleet = createFleet({ scenario: { ...s, devices: n }, scheduler, crypto: nodeCrypto, key: simSigningKey(), server, tenant: server.tenant, gatewayToken: server.gatewayToken });
      return fleet.devices.map((d) => `${d.profile.name}/${d.link.bytesPerSec}/${d.board.board.name}/${d.random.u32()}`);
    } finally {
      await server.close();
    }
  };
  const small = await shape(20);
  const large = await shape(21);
  assert.deepEqual(large.slice(0, 20), small);
});

test('bad builds by client profile: health-checking clients revert a crash loop or a never-confirming image; confirm-on-init clients keep a crash-looping one, and the canary passes it', async () => {
  const base = load('canary-bad-build');
  const run = async (profile: 'slotwise' | 'zephyr' | 'swupdate', faults: Record<string, unknown>) => {
    const s: Scenario = {
      ...base,
      devices: 9,
      releases: { ...base.releases, 'v3-bad': { version: '3.0.0', payloadBytes: 49152, faults } },
      groups: base.groups.map((g) => ({ ...g, profile })),
    };
    return runScenario(s);
  };
  for (const profile of ['slotwise', 'zephyr', 'swupdate'] as const) {
    const never = await run(profile, { neverConfirms: true });
    assert.equal(never.outcomes.rolled_back, 3, `${profile} never-confirm: ${formatReport(never)}`);
    assert.equal(never.rollouts[0]?.state, 'paused', `${profile} never-confirm`);
    assert.equal(never.outcomes.bricked, 0);
  }
  const crashHealth = await run('slotwise', { crashAfterMs: 20_000 });
  assert.equal(crashHealth.outcomes.rolled_back, 3, formatReport(crashHealth));
  assert.equal(crashHealth.rollouts[0]?.state, 'paused');
  const crashZephyr = await run('zephyr', { crashAfterMs: 20_000 });
  // Zephyr confirms at hawkbit_init, before the crash: the canary sees success and the whole
  // fleet ends up crash-looping on 3.0.0 (B.1.2), which is why the canary cannot catch it.
  assert.equal(crashZephyr.versions['3.0.0'], 9, formatReport(crashZephyr));
  assert.equal(crashZephyr.rollouts[0]?.state, 'finished');
  assert.equal(crashZephyr.outcomes.bricked, 0);
});

test('golden trace: a canary device of the bad build, line by line (SLOTWISE_UPDATE_GOLDEN=1 rewrites it)', async () => {
  const golden = new URL('./golden/canary-bad-build.sim-000000.txt', import.meta.url);
  const r = await runScenario(load('canary-bad-build'), { traceDevice: 'sim-000000', checkBootable: false });
  const text = r.trace.join('\n') + '\n';
  if (process.env['SLOTWISE_UPDATE_GOLDEN'] === '1') writeFileSync(golden, text);
  const want = readFileSync(golden, 'utf8').split('\n');
  const got = text.split('\n');
  const first = got.findIndex((l, i) => l !== want[i]);
  assert.equal(first === -1 && got.length === want.length, true, `first differing line ${first + 1}:\n  want: ${want[first]}\n  got:  ${got[first]}`);
});
