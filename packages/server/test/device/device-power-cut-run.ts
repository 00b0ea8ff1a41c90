/** One whole OTA of a device against an in-process server, with an optional power cut. */
import assert from 'node:assert/strict';
import { createHarness, seedRelease } from '../harness.js';
import { actions, device, deviceView, fw } from './device-rig.js';

const V1 = fw('1.0.0', 20_000);
const V2 = fw('2.0.0', 40_000);

export async function runCut(cutAt: number | null): Promise<{ ops: number }> {
  const h = await createHarness();
  try {
    const { token, releaseId } = await seedRelease(h, { controllerId: 'dev-p', version: '2.0.0', bytes: V2, runningVersion: '1.0.0' });
    assert.equal((await h.admin('POST', '/api/v1/deployments', { controllerId: 'dev-p', releaseId, timeoutMs: 3_600_000 })).statusCode, 201);
    const d = device(h, 'dev-p', token, V1);
    const before = d.flash.opCount;
    if (cutAt !== null) d.flash.armPowerCut(cutAt);
    d.runtime.powerOn();
    await d.runtime.runUntil(1_800_000);
    const label = `cut ${cutAt ?? 'none'}`;
    if (cutAt !== null) assert.equal(d.runtime.powerLosses, 1, `${label}: happened`);
    assert.equal(d.runtime.bricked, false, `${label}: not bricked`);
    assert.ok(d.runtime.boots.every((b) => b.booted), `${label}: every boot found an image`);
    const status = (await actions(h, 'dev-p')).map((a) => a.status);
    const running = (await deviceView(h, 'dev-p')).runningVersion;
    // A cut before the swap completes fails the update; a cut that keeps the confirm from
    // reaching flash makes MCUboot revert the tested image, which the server sees as a rollback.
    if (status[0] === 'failed' || status[0] === 'rolled_back') {
      assert.equal(status.length, 1, `${label}: one action`);
      assert.equal(d.runtime.firmware()?.version, '1.0.0', `${label}: reverted`);
      assert.equal(running, '1.0.0');
    } else {
      assert.deepEqual(status, ['succeeded'], `${label}: the update finishes`);
      assert.equal(d.runtime.firmware()?.version, '2.0.0');
      assert.equal(running, '2.0.0');
    }
    return { ops: d.flash.opCount - before };
  } finally {
    await h.close();
  }
}

