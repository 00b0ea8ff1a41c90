/**
 * The simulated device (runtime + NOR flash + MCUboot twin, @slotwise/core/device) against the
 * real server in-process (buildApp + inject transport): issue 5's success criteria (a) an update
 * v1 → v2 completes, confirmed, reported as success, running version v2 on the server; (c) a v3
 * that fails its health check is not confirmed, resets itself, MCUboot reverts, the device runs
 * v2 again and the server records the failure and the running version; (d) the log of a whole
 * OTA holds the five milestones once each and no per-chunk line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHarness, seedRelease } from '../harness.js';
import { actions, device, deviceView, fw } from './device-rig.js';

test('device ⇄ server: v1 → v2 completes, confirmed, success and running version v2 on the server; five milestones, no chunk lines', async () => {
  const h = await createHarness();
  try {
    const v2 = fw('2.0.0', 60_000);
    const { token, releaseId } = await seedRelease(h, { controllerId: 'dev-a', version: '2.0.0', bytes: v2, runningVersion: '1.0.0' });
    const dep = await h.admin('POST', '/api/v1/deployments', { controllerId: 'dev-a', releaseId, timeoutMs: 3_600_000 });
    assert.equal(dep.statusCode, 201, dep.body);
    const d = device(h, 'dev-a', token, fw('1.0.0', 40_000));
    d.runtime.powerOn();
    await d.runtime.runUntil(900_000);
    assert.deepEqual(d.versions, ['none/1.0.0+0', 'test/2.0.0+0']);
    assert.equal(d.runtime.firmware()?.version, '2.0.0');
    assert.equal((await deviceView(h, 'dev-a')).runningVersion, '2.0.0');
    assert.deepEqual((await actions(h, 'dev-a')).map((a) => a.status), ['succeeded']);
    const lines = d.text().split('\n');
    for (const re of [/Update available/, /Download started/, /Download completed/, /Upgrade requested/, /Image confirmed/]) {
      assert.equal(lines.filter((l) => re.test(l)).length, 1, `${re} once`);
    }
    assert.ok(!lines.some((l) => /chunk|Range/i.test(l)));
    // Telemetry went to the server too: every record the device counts as delivered is stored.
    const series = (await h.admin('GET', '/api/v1/devices/dev-a/samples')).json() as { samples: Array<{ temp: number }> };
    assert.ok(d.runtime.driver.delivered.length >= 10);
    assert.equal(series.samples.length, d.runtime.driver.delivered.length);
    assert.ok(series.samples.every((x) => x.temp === 21_000));
  } finally {
    await h.close();
  }
});

test('device ⇄ server: a v3 failing its health check is reverted by MCUboot; the server records the failure and v2 running', async () => {
  const h = await createHarness();
  try {
    const v3 = fw('3.0.0', 50_000, { sensorInitFails: true });
    const { token, releaseId } = await seedRelease(h, { controllerId: 'dev-b', version: '3.0.0', bytes: v3, runningVersion: '2.0.0' });
    assert.equal((await h.admin('POST', '/api/v1/deployments', { controllerId: 'dev-b', releaseId, timeoutMs: 3_600_000 })).statusCode, 201);
    const d = device(h, 'dev-b', token, fw('2.0.0', 40_000));
    d.runtime.powerOn();
    await d.runtime.runUntil(1_500_000);
    assert.deepEqual(d.versions, ['none/2.0.0+0', 'test/3.0.0+0', 'revert/2.0.0+0']);
    assert.equal((await deviceView(h, 'dev-b')).runningVersion, '2.0.0');
    const acts = await actions(h, 'dev-b');
    assert.equal(acts.length, 1);
    assert.ok(['failed', 'rolled_back'].includes(acts[0]!.status), acts[0]!.status);
  } finally {
    await h.close();
  }
});

test('device ⇄ server: an operator cancel during the download stops it; the action ends canceled and v1 keeps running', async () => {
  const h = await createHarness();
  try {
    const v2 = fw('2.0.0', 110_000); // 27 chunks: two WAIT visits a minute apart
    assert.equal((await h.admin('PUT', '/api/v1/tenants/DEFAULT', { pollSleepSec: 30 })).statusCode, 200); // poll every 30 s
    const { token, releaseId } = await seedRelease(h, { controllerId: 'dev-c', version: '2.0.0', bytes: v2, runningVersion: '1.0.0' });
    const dep = await h.admin('POST', '/api/v1/deployments', { controllerId: 'dev-c', releaseId, timeoutMs: 3_600_000 });
    const actionId = (dep.json() as { id: number }).id;
    const d = device(h, 'dev-c', token, fw('1.0.0', 40_000));
    d.runtime.powerOn();
    await d.runtime.runUntil(30_000); // first WAIT: 16 chunks written
    assert.ok(d.text().includes('Download started'), d.text());
    assert.equal((await h.admin('POST', `/api/v1/actions/${actionId}/cancel`)).statusCode, 200);
    await d.runtime.runUntil(2_400_000);
    assert.ok(!d.text().includes('Upgrade requested'), d.text());
    assert.equal(d.runtime.firmware()?.version, '1.0.0');
    assert.deepEqual((await actions(h, 'dev-c')).map((a) => a.status), ['canceled']);
  } finally {
    await h.close();
  }
});
