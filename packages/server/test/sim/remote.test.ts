/**
 * The fleet is reusable outside `sim run`: the same devices and operator drive a server over
 * real HTTP (127.0.0.1) through `createRemoteFleetServer`, paced by a wall-clock pacer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createScheduler } from '@slotwise/core';
import { createFleet, parseScenario } from '@slotwise/core/fleet/index';
import { nodeCrypto } from '@slotwise/core/node/crypto';
import { createSimServer } from '../../src/sim/fleet-server.js';
import { createRemoteFleetServer } from '../../src/sim/operator.js';
import { createWallClockPacer } from '../../src/sim/pacer.js';
import { simSigningKey } from '../../src/sim/run-scenario.js';

test('a small fleet updates against a server listening on 127.0.0.1, paced by a wall clock', async () => {
  const scenario = parseScenario(JSON.parse(readFileSync(new URL('../../../../examples/happy-rollout.json', import.meta.url), 'utf8')));
  const scheduler = createScheduler(Date.UTC(2026, 0, 1));
  const sim = await createSimServer({ clock: scheduler, seed: 1, pollSleepSec: scenario.pollSleepSec });
  const url = await sim.app().listen({ host: '127.0.0.1', port: 0 });
  try {
    const server = createRemoteFleetServer(url, sim.adminKey);
    const fleet = createFleet({ scenario: { ...scenario, devices: 4 }, scheduler, crypto: nodeCrypto, key: simSigningKey(), server, tenant: sim.tenant, gatewayToken: sim.gatewayToken });
    const r = await fleet.run({ pacer: createWallClockPacer(1e7) });
    assert.equal(r.outcomes.updated, 4);
    assert.equal(r.rollouts[0]?.state, 'finished');
    assert.ok(r.requests > 4 * 5);
  } finally {
    await sim.close();
  }
});

test('the wall-clock pacer sleeps until virtual time is due at the given speed-up', async () => {
  let now = 1000;
  const slept: number[] = [];
  const pacer = createWallClockPacer(60, () => now, async (ms) => {
    slept.push(ms);
    now += ms;
  });
  await pacer.waitUntil(60_000);
  await pacer.waitUntil(30_000);
  await pacer.waitUntil(120_000);
  assert.deepEqual(slept, [1000, 1000]);
});
