/**
 * The fleet loop lets its host's event loop take a turn every HOST_TURN_REQUESTS server requests
 * (`FleetRunOptions.hostTurn`), so what an in-process server defers to the event loop does not
 * pile up for the whole run; the turns change nothing the fleet computes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createScheduler } from '@slotwise/core';
import { HOST_TURN_REQUESTS, createFleet, parseScenario, type FleetResult, type FleetRunOptions, type Scenario } from '@slotwise/core/fleet/index';
import { nodeCrypto } from '@slotwise/core/node/crypto';
import { createSimServer } from '@slotwise/server/sim/fleet-server';
import { SIM_EPOCH_MS, simSigningKey } from '@slotwise/server/sim/run-scenario';

const scenario: Scenario = { ...parseScenario(JSON.parse(readFileSync(new URL('../../../examples/happy-rollout.json', import.meta.url), 'utf8'))), devices: 12 };

async function run(options: FleetRunOptions): Promise<FleetResult> {
  const scheduler = createScheduler(SIM_EPOCH_MS);
  const server = await createSimServer({ clock: scheduler, seed: scenario.seed, pollSleepSec: scenario.pollSleepSec });
  try {
    const fleet = createFleet({ scenario, scheduler, crypto: nodeCrypto, key: simSigningKey(), server, tenant: server.tenant, gatewayToken: server.gatewayToken, checkBootable: false });
    return await fleet.run(options);
  } finally {
    await server.close();
  }
}

test('the fleet awaits one host turn per HOST_TURN_REQUESTS server requests, and a run with turns equals one without', async () => {
  let turns = 0;
  let immediates = 0;
  const withTurns = await run({
    hostTurn: () =>
      new Promise<void>((resolve) => {
        turns++;
        setImmediate(() => {
          immediates++;
          resolve();
        });
      }),
  });
  const without = await run({});
  assert.ok(withTurns.requests >= 2 * HOST_TURN_REQUESTS, `${withTurns.requests} requests`);
  assert.equal(turns, Math.floor(withTurns.requests / HOST_TURN_REQUESTS));
  assert.equal(immediates, turns, 'every turn ran on the event loop before the fleet went on');
  assert.equal(withTurns.digest, without.digest);
  assert.deepEqual(withTurns, without);
});
