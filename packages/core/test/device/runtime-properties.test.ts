/**
 * Seeded random runs of a whole device (runtime + NOR flash + boot twin) with random network and
 * sensor faults and a power cut at a random moment of the OTA: no OTA request or secondary-slot
 * write outside IDLE/WAIT, no sample lost to an OTA reboot, every boot finds a valid image, and
 * a run whose faults end in time finishes on v2 (or reports the revert).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { toArray } from '../../src/device/sample-buffer.js';
import type { DeviceFault, FaultWindow } from '../../src/device/faults.js';
import { createDeviceRig, firmware } from './runtime-rig.js';

const V1 = firmware('1.0.0', 20_000);
const V2 = firmware('2.0.0', 30_000);

const faultArb: fc.Arbitrary<DeviceFault> = fc.constantFrom<DeviceFault>(
  { kind: 'sensor.read_error' },
  { kind: 'link.down' },
  { kind: 'dns.timeout' },
  { kind: 'http.5xx' },
  { kind: 'http.5xx', only: 'ddi' },
  { kind: 'connection.drop' },
  { kind: 'link.slow', factor: 50 },
);
const windowArb: fc.Arbitrary<FaultWindow> = fc
  .record({ fault: faultArb, fromMs: fc.integer({ min: 0, max: 1_200_000 }), lengthMs: fc.integer({ min: 1_000, max: 600_000 }) })
  .map(({ fault, fromMs, lengthMs }) => ({ fault, fromMs, untilMs: fromMs + lengthMs }));

test('random faults and a random power cut: OTA I/O only in IDLE/WAIT, no sample lost to an OTA reboot, never bricked', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(windowArb, { maxLength: 4 }), fc.option(fc.integer({ min: 1, max: 200 }), { nil: null }), async (faults, cutAt) => {
      const rig = createDeviceRig(V1, { faults });
      rig.server.deploy('700', '2.0.0', V2);
      const problems: string[] = [];
      rig.runtime.driver.observe((before, _e, after, effects) => {
        for (const f of effects) {
          if ((f.type === 'ddi.request' || f.type.startsWith('flash.') || f.type === 'boot.request_test') && before.app.state !== 'IDLE' && before.app.state !== 'WAIT') problems.push(`${f.type} in ${before.app.state}`);
          if (f.type === 'device.reboot' && f.reason === 'ota' && toArray(after.app.samples).length > 0) problems.push('OTA reboot with buffered samples');
        }
      });
      if (cutAt !== null) rig.flash.armPowerCut(cutAt);
      rig.runtime.powerOn();
      const lastFault = Math.max(0, ...faults.map((w) => w.untilMs));
      await rig.runtime.runUntil(lastFault + 1_800_000);
      assert.deepEqual(problems, []);
      assert.equal(rig.runtime.bricked, false);
      assert.ok(rig.bootResults.every((r) => r.outcome === 'ok'));
      const finished = rig.server.feedback.map((f) => f.finished);
      const version = rig.runtime.firmware()?.version;
      if (finished.includes('failure')) assert.equal(version, '1.0.0');
      else assert.equal(version, '2.0.0', 'faults over: the update finishes');
    }),
    { numRuns: 25, seed: 0x0b0075 },
  );
});
