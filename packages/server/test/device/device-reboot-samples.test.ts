/**
 * device.md G22 end to end: sample stamps are uptime milliseconds and restart at every boot, so
 * a device that reboots mid-run repeats stamps it already sent; with the boot id on every record
 * the server keeps both boots' samples (in-process server, inject transport).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHarness, seedRelease } from '../harness.js';
import { device, fw } from './device-rig.js';

test('device ⇄ server: a device that reboots mid-run keeps every sample on the server, in order, with its boot id', async () => {
  const h = await createHarness();
  try {
    const { token } = await seedRelease(h, { controllerId: 'dev-r', version: '1.0.0', bytes: fw('1.0.0', 20_000), runningVersion: '1.0.0' });
    const d = device(h, 'dev-r', token, fw('1.0.0', 20_000));
    // Three boots of ten minutes each; boots 2 and 3 start from the same state, so their
    // uptime stamps coincide exactly.
    const bootOf: number[] = [];
    for (let boot = 1; boot <= 3; boot++) {
      if (boot > 1) d.runtime.powerCut();
      d.runtime.powerOn();
      await d.runtime.runUntil(boot * 600_000);
      while (bootOf.length < d.runtime.driver.delivered.length) bootOf.push(boot);
    }
    const delivered = d.runtime.driver.delivered;
    for (const boot of [1, 2, 3]) assert.ok(bootOf.filter((b) => b === boot).length >= 5, `samples in boot ${boot}`);
    const stamps = delivered.map((r) => r.timestamp_ms);
    assert.ok(new Set(stamps).size < stamps.length, 'a later boot repeats uptime stamps of an earlier one');

    const series = (await h.admin('GET', '/api/v1/devices/dev-r/samples')).json() as { samples: Array<{ timestamp_ms: number; boot_id: number; temp: number }> };
    assert.equal(series.samples.length, delivered.length);
    assert.deepEqual(
      series.samples.map((s) => [s.boot_id, s.timestamp_ms]),
      delivered.map((r, i) => [bootOf[i], r.timestamp_ms]),
    );
  } finally {
    await h.close();
  }
});
