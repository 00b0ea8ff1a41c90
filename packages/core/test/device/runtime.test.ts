/**
 * The device runtime on the real NOR flash model and MCUboot twin (swap-scratch): an update
 * v1 → v2 completes and is confirmed in the trailer; a v3 that fails its health check is not
 * confirmed, resets itself, and MCUboot reverts to v2; the server sees success, then rollback.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openFlashArea } from '../../src/flash/flash-area.js';
import { readSlotState } from '../../src/boot/public-api.js';
import { bootConfig, createDeviceRig, firmware } from './runtime-rig.js';
import { messages } from './support.js';

const layout = { bootMaxAlign: bootConfig.bootMaxAlign, maxImgSectors: bootConfig.maxImgSectors, mode: bootConfig.mode };

test('runtime: v1 → v2 through the boot twin, confirmed in the primary trailer, reported as success', async () => {
  const rig = createDeviceRig(firmware('1.0.0', 40_000));
  rig.server.deploy('500', '2.0.0', firmware('2.0.0', 60_000));
  rig.runtime.powerOn();
  await rig.runtime.runUntil(600_000);
  assert.equal(rig.runtime.firmware()?.version, '2.0.0');
  const st = readSlotState(openFlashArea(rig.flash, 'primary'), layout);
  assert.equal(st.imageOk, 'set');
  assert.deepEqual(rig.server.feedback.map((f) => f.finished), ['success']);
  assert.equal(rig.server.reportedVersion, '2.0.0');
  assert.deepEqual(rig.bootResults.map((r) => `${r.outcome}/${r.swapType}/${r.boot?.version}`), ['ok/none/1.0.0+0', 'ok/test/2.0.0+0']);
  const m = messages(rig.text());
  for (const re of [/Update available/, /Download started/, /Download completed/, /Upgrade requested/, /Image confirmed/]) {
    assert.equal(m.filter((l) => re.test(l)).length, 1, `${re} once`);
  }
});

test('runtime: a v3 failing its health check resets itself, MCUboot reverts to v2, the server sees the rollback', async () => {
  const rig = createDeviceRig(firmware('2.0.0', 40_000));
  rig.server.deploy('501', '3.0.0', firmware('3.0.0', 50_000, { sensorInitFails: true }));
  rig.runtime.powerOn();
  await rig.runtime.runUntil(1_200_000);
  assert.equal(rig.runtime.firmware()?.version, '2.0.0');
  assert.deepEqual(rig.bootResults.map((r) => `${r.swapType}/${r.boot?.version}`), ['none/2.0.0+0', 'test/3.0.0+0', 'revert/2.0.0+0']);
  assert.deepEqual(rig.server.feedback.map((f) => `${f.finished}: ${f.details.join()}`), ['failure: rolled back to 2.0.0']);
  assert.equal(rig.server.reportedVersion, '2.0.0');
});
