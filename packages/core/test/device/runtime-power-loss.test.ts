/**
 * Issue 5 (b): a power cut at flash operations of the whole OTA — the download into the
 * secondary slot, the test request, the swap the bootloader performs, the confirm — on the NOR
 * model and the MCUboot twin. After every cut the device boots a valid image (never bricked)
 * and ends on v2 (or, when the cut kept the test image from confirming, on v1 with the rollback
 * reported). Every operation is cut once (about 160, under a second).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRandom } from '../../src/sim/random.js';
import { createDeviceRig, firmware } from './runtime-rig.js';

const V1 = firmware('1.0.0', 20_000);
const V2 = firmware('2.0.0', 30_000);
const END = 1_500_000;

async function runWithCutAt(n: number | null, torn = false) {
  const rig = createDeviceRig(V1);
  rig.server.deploy('600', '2.0.0', V2);
  const before = rig.flash.opCount;
  if (n !== null && torn) rig.flash.armTornWrite(n, createRandom(n));
  else if (n !== null) rig.flash.armPowerCut(n);
  rig.runtime.powerOn();
  await rig.runtime.runUntil(END);
  return { rig, ops: rig.flash.opCount - before };
}

async function checkCut(n: number, torn = false): Promise<void> {
  const { rig } = await runWithCutAt(n, torn);
  assert.equal(rig.runtime.bricked, false, `cut ${n}: not bricked`);
  assert.equal(rig.runtime.powerLosses, 1, `cut ${n}: the cut happened`);
  assert.ok(rig.bootResults.every((r) => r.outcome === 'ok'), `cut ${n}: every boot found a valid image`);
  const version = rig.runtime.firmware()?.version;
  const finished = rig.server.feedback.map((f) => f.finished);
  if (finished.includes('failure')) {
    // Only a cut that kept the test image from confirming may end in a revert, reported as such.
    assert.equal(version, '1.0.0', `cut ${n}: reverted image runs`);
    assert.deepEqual(finished, ['failure']);
  } else {
    assert.equal(version, '2.0.0', `cut ${n}: the update completes afterwards`);
    assert.ok(finished.length >= 1, `cut ${n}: success reported`);
    assert.equal(rig.server.reportedVersion, '2.0.0');
  }
}

test('a clean OTA on the boot twin counts its flash operations', async () => {
  const { rig, ops } = await runWithCutAt(null);
  assert.equal(rig.runtime.firmware()?.version, '2.0.0');
  assert.ok(ops > 40, `${ops} flash operations`);
});

test('a power cut at every flash operation of the OTA never bricks the device and the update finishes', async () => {
  const { ops } = await runWithCutAt(null);
  for (let n = 1; n <= ops; n++) await checkCut(n);
});

test('a torn write at every flash operation (seeded garbage, then power loss) never bricks the device', async () => {
  const { ops } = await runWithCutAt(null);
  for (let n = 1; n <= ops; n++) await checkCut(n, true);
});
