/**
 * Larger fleets (slow tier): every example at 10× its device count stays safe (0 bricked, all
 * bootable), and a 2 000-device happy rollout updates everyone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { parseScenario } from '@slotwise/core/fleet/index';
import { runScenario } from '../../src/sim/run-scenario.js';

const examples = new URL('../../../../examples/', import.meta.url);

test('every example at 10× its devices: 0 bricked, every device bootable', async () => {
  for (const f of readdirSync(examples).filter((x) => x.endsWith('.json'))) {
    const s = parseScenario(JSON.parse(readFileSync(new URL(f, examples), 'utf8')));
    const r = await runScenario(s, { devices: s.devices * 10 });
    assert.equal(r.outcomes.bricked, 0, f);
    assert.deepEqual(r.notBootable, [], f);
    if (f === 'lossy-cellular.json') assert.ok(r.bytesPerImageByte !== null && r.bytesPerImageByte <= 1.05, `${f}: ${r.bytesPerImageByte}`);
  }
});

test('2 000 devices through the happy rollout all end on 2.0.0', async () => {
  const s = parseScenario(JSON.parse(readFileSync(new URL('happy-rollout.json', examples), 'utf8')));
  const r = await runScenario(s, { devices: 2000, checkBootable: false });
  assert.equal(r.outcomes.updated, 2000);
  assert.ok(r.timeToMs.p99 !== null);
});
