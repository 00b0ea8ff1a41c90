/**
 * Properties of the device on random runs (seeded fault schedules, fast-check): the machine only
 * takes transitions of the table (and only on the condition the row names), no buffered sample
 * is ever lost except by the documented drop-oldest rule (with its WRN line), every snapshot is
 * JSON-serialisable, and with the G26 slices no watchdog reset happens under any fault mix.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { findTransition, type TransitionCondition, type TransitionRow } from '../../src/device/app-state.js';
import type { DeviceFault, FaultWindow } from '../../src/device/faults.js';
import { peekOldest, toArray, type SampleRecord } from '../../src/device/sample-buffer.js';
import type { DeviceEvent, DeviceState } from '../../src/device/step.js';
import { createRig } from './support.js';
import { createFakeDdiServer, createFakeFlashBoot, fakeImage } from './ota-fakes.js';

const faultArb: fc.Arbitrary<DeviceFault> = fc.oneof(
  fc.constantFrom<DeviceFault>(
    { kind: 'sensor.absent' },
    { kind: 'sensor.bus_error' },
    { kind: 'sensor.read_error' },
    { kind: 'link.down' },
    { kind: 'dns.timeout' },
    { kind: 'connect.timeout' },
    { kind: 'http.5xx' },
    { kind: 'connection.drop' },
  ),
  fc.integer({ min: 2, max: 400 }).map((factor): DeviceFault => ({ kind: 'link.slow', factor })),
);

const HORIZON_MS = 3 * 3_600_000;
const windowArb: fc.Arbitrary<FaultWindow> = fc
  .record({ fault: faultArb, fromMs: fc.integer({ min: 0, max: HORIZON_MS }), lengthMs: fc.integer({ min: 1, max: 3_600_000 }) })
  .map(({ fault, fromMs, lengthMs }) => ({ fault, fromMs, untilMs: fromMs + lengthMs }));

/** The table condition an event can satisfy in a given state (independent of the reducer). */
function conditionOf(before: DeviceState, e: DeviceEvent): TransitionCondition | undefined {
  switch (e.type) {
    case 'tick':
      return before.app.state === 'SEND' ? 'BUFFER_EMPTY' : 'TICK';
    case 'sensor.init.done':
      return e.err === 0 ? 'SENSOR_INIT_OK' : 'SENSOR_INIT_FAIL';
    case 'net.init.done':
      return e.err === 0 ? 'NET_INIT_OK' : 'NET_INIT_FAIL';
    case 'sensor.sample.done':
      return e.err === 0 ? 'SAMPLE_OK' : 'SAMPLE_FAIL';
    case 'http.send.done':
      return e.err === 0 ? 'SEND_OK' : 'SEND_FAIL';
    case 'sleep.elapsed':
      return 'WAIT_ELAPSED';
    case 'ota.ddi.result':
    case 'ota.hash.done':
      return 'TICK'; // the OTA task handing IDLE back
  }
}

const key = (r: SampleRecord): string => `${r.timestamp_ms}:${r.temp_mdeg}`;

test('random fault schedules: table transitions only, no silent sample loss, JSON snapshots, no watchdog reset', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(windowArb, { maxLength: 8 }), fc.integer({ min: -20, max: 40 }), async (faults, baseC) => {
      const rig = createRig({ faults, temperatureC: (t) => baseC + Math.sin(t / 600_000) * 5 });
      const produced: SampleRecord[] = [];
      const dropped: SampleRecord[] = [];
      const problems: string[] = [];
      let steps = 0;
      rig.driver.observe((before, event, after, effects) => {
        steps++;
        if (before.app.state !== after.app.state) {
          const on = conditionOf(before, event);
          let row: TransitionRow | undefined;
          try {
            row = on === undefined ? undefined : findTransition(before.app.state, on);
          } catch {
            row = undefined;
          }
          const ok = row !== undefined && (row.to === after.app.state || (row.to === 'recovery_state' && after.app.state === before.app.recovery_state));
          if (!ok) problems.push(`${before.app.state} -> ${after.app.state} on ${event.type}`);
        }
        if (event.type === 'sensor.sample.done' && event.err === 0 && before.pending.tag === 'call') {
          produced.push({ temp_mdeg: event.mdeg, timestamp_ms: event.atMs });
          const warned = effects.some((f) => f.type === 'log' && f.entry.level === 'wrn');
          if (before.app.samples.count === before.app.samples.slots.length) {
            dropped.push(peekOldest(before.app.samples)!);
            if (!warned) problems.push('drop without WRN');
          } else if (warned) problems.push('WRN without drop');
        }
        assert.deepEqual(JSON.parse(JSON.stringify(after)), after);
      });
      rig.driver.start();
      await rig.driver.runUntil(HORIZON_MS);
      assert.deepEqual(problems, []);
      assert.ok(steps > 500, `a 3 h run takes many steps (${steps})`);
      assert.equal(rig.driver.bootCount, 1, 'no watchdog reset');
      const delivered = rig.driver.delivered;
      const buffered = toArray(rig.driver.state!.app.samples);
      // Every produced sample is delivered, dropped by the rule, or still buffered — exactly once.
      const accounted = [...delivered, ...dropped, ...buffered].map(key).sort();
      assert.deepEqual(accounted, produced.map(key).sort());
      // Delivery is oldest-first.
      const ts = delivered.map((r) => r.timestamp_ms);
      assert.deepEqual(ts, [...ts].sort((a, b) => a - b));
    }),
    { numRuns: 25, seed: 0x5107 },
  );
});

function transitionProblem(before: DeviceState, event: DeviceEvent, after: DeviceState): string | undefined {
  if (before.app.state === after.app.state) return undefined;
  const on = conditionOf(before, event);
  let row: TransitionRow | undefined;
  try {
    row = on === undefined ? undefined : findTransition(before.app.state, on);
  } catch {
    row = undefined;
  }
  const ok = row !== undefined && (row.to === after.app.state || (row.to === 'recovery_state' && after.app.state === before.app.recovery_state));
  return ok ? undefined : `${before.app.state} -> ${after.app.state} on ${event.type}`;
}

test('random runs with OTA: no OTA request or slot write outside IDLE/WAIT, no sample lost to an OTA reboot, table transitions only', async () => {
  const SLOT = 0x20000;
  await fc.assert(
    fc.asyncProperty(
      fc.array(windowArb, { maxLength: 6 }),
      fc.integer({ min: 16, max: SLOT - 2048 }),
      fc.constantFrom('boot' as const, 'health' as const),
      async (faults, imageSize, confirmPolicy) => {
        const server = createFakeDdiServer();
        const flash = createFakeFlashBoot(fakeImage('1.0.0', 50_000), SLOT);
        server.deploy('7', '2.0.0', fakeImage('2.0.0', imageSize));
        const rig = createRig({
          faults,
          ota: { transport: server, secondary: flash, boot: flash },
          firmware: () => flash.firmware(),
          device: { ota: { slotSizeBytes: SLOT, confirmPolicy } },
          onReset: () => flash.runBootloader(),
        });
        const problems: string[] = [];
        const produced = new Set<SampleRecord>();
        const dropped = new Set<SampleRecord>();
        const lost = new Set<SampleRecord>();
        let final: readonly SampleRecord[] = [];
        rig.driver.observe((before, event, after, effects) => {
          const p = transitionProblem(before, event, after);
          if (p !== undefined) problems.push(p);
          for (const f of effects) {
            if ((f.type === 'ddi.request' || f.type.startsWith('flash.') || f.type === 'boot.request_test') && before.app.state !== 'IDLE' && before.app.state !== 'WAIT') {
              problems.push(`${f.type} in ${before.app.state}`);
            }
            if (f.type === 'device.reboot' && f.reason === 'ota') for (const r of toArray(after.app.samples)) lost.add(r);
          }
          if (event.type === 'sensor.sample.done' && event.err === 0 && before.pending.tag === 'call') {
            const n = after.app.samples.slots.length;
            produced.add(after.app.samples.slots[(after.app.samples.tail - 1 + n) % n]!);
            if (before.app.samples.count === n) dropped.add(peekOldest(before.app.samples)!);
          }
          final = toArray(after.app.samples);
        });
        rig.driver.start();
        await rig.driver.runUntil(HORIZON_MS);
        assert.deepEqual(problems, []);
        assert.equal(lost.size, 0, 'an OTA reboot never happens with buffered samples');
        const accounted = new Set([...rig.driver.delivered, ...dropped, ...final]);
        for (const r of produced) assert.ok(accounted.has(r), 'every sample delivered, dropped by the rule, or buffered');
        if (faults.length === 0) {
          assert.equal(flash.primaryVersion, '2.0.0');
          assert.equal(server.reportedVersion, '2.0.0');
        }
      },
    ),
    { numRuns: 20, seed: 0x07a },
  );
});
