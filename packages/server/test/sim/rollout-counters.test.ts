/**
 * The rollout counters (store/sql/schema-rollout-counts.ts) at the end of whole fleet runs
 * against the in-process server: after an auto-pause on a bad canary, two server restarts, and
 * an operator's pause, resume and abort with short device deadlines, every rollout's counters
 * equal a recount of its action rows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createScheduler } from '@slotwise/core';
import { createFleet, parseScenario, type Scenario } from '@slotwise/core/fleet/index';
import { nodeCrypto } from '@slotwise/core/node/crypto';
import { createSimServer } from '../../src/sim/fleet-server.js';
import { SIM_EPOCH_MS, simSigningKey } from '../../src/sim/run-scenario.js';
import { recountRollout } from '../store.suite.js';

const examples = new URL('../../../../examples/', import.meta.url);
const ABORT_AT_MS = 1_300_000;
const load = (name: string): Scenario => parseScenario(JSON.parse(readFileSync(new URL(`${name}.json`, examples), 'utf8')));

async function runAndCheck(s: Scenario): Promise<string[]> {
  const scheduler = createScheduler(SIM_EPOCH_MS);
  const server = await createSimServer({ clock: scheduler, seed: s.seed, pollSleepSec: s.pollSleepSec });
  try {
    const fleet = createFleet({ scenario: s, scheduler, crypto: nodeCrypto, key: simSigningKey(), server, tenant: server.tenant, gatewayToken: server.gatewayToken, checkBootable: false });
    const result = await fleet.run();
    const store = server.app().slotwise.services.ctx.store;
    const rollouts = await store.listRollouts(server.tenant);
    assert.ok(rollouts.length > 0, `${s.name}: a rollout was created`);
    for (const r of rollouts) {
      const counted = await store.countRollout(r.id);
      assert.deepEqual(counted.actions, await recountRollout(store, r.id), `${s.name}: rollout ${r.id} (${r.state})`);
      const members = await store.listRolloutMembers(r.id);
      for (const c of counted.members) assert.equal(c.count, members.filter((m) => m.stage === c.stage).length, `${s.name}: stage ${c.stage} members`);
    }
    return result.rollouts.map((r) => r.state);
  } finally {
    await server.close();
  }
}

test('rollout counters equal a recount after a canary auto-pause and after server restarts', async () => {
  assert.deepEqual(await runAndCheck(load('canary-bad-build')), ['paused']);
  await runAndCheck(load('server-restart'));
});

test('rollout counters equal a recount after pause, resume, abort and device deadlines', async () => {
  const base = load('happy-rollout');
  const variant = (name: string, deviceTimeoutMs: number, abortAtMs: number): Scenario => ({
    ...base,
    name,
    devices: 30,
    operator: [
      { atMs: 60_000, op: 'upload', release: 'v2' },
      { atMs: 120_000, op: 'rollout', name: 'v2', release: 'v2', stages: [{ count: 3 }, { percent: 100 }], successThreshold: 0.5, maxFailureRatio: 1, deviceTimeoutMs },
      { atMs: 125_000, op: 'pause', rollout: 'v2' },
      { atMs: 130_000, op: 'resume', rollout: 'v2' },
      { atMs: abortAtMs, op: 'abort', rollout: 'v2' },
    ],
  });
  // Deadlines shorter than the poll interval: the canaries time out, the rollout pauses, then is aborted.
  assert.deepEqual(await runAndCheck(variant('deadlines', 400_000, 1_000_000)), ['aborted']);
  // Aborted with stage 1 half done: its running actions are canceled.
  assert.deepEqual(await runAndCheck(variant('abort', 3_600_000, ABORT_AT_MS)), ['aborted']);
});
