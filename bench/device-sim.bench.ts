/**
 * Speed of the device simulation on virtual time: how many simulated device-days one core runs
 * per wall second, and reducer steps per second, for (1) one device in normal operation, (2) one
 * device through a long outage (ERROR/WAIT/backoff, full buffer), (3) the scheduler alone
 * (events/s) as the upper bound the device loop is measured against. Prints medians; never
 * asserts on time.
 */
import { createScheduler } from '../packages/core/src/sim/scheduler.js';
import { createDeviceDriver } from '../packages/core/src/device/driver.js';
import { createMcp9808Chip } from '../packages/core/src/device/mcp9808.js';
import { createNetworkModel } from '../packages/core/src/device/network-model.js';
import type { FaultWindow } from '../packages/core/src/device/faults.js';

const DAY = 86_400_000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

async function simulate(faults: readonly FaultWindow[], days: number): Promise<{ ms: number; steps: number }> {
  const scheduler = createScheduler(0);
  const driver = createDeviceDriver({ scheduler, sensor: createMcp9808Chip(() => 21.5, faults), network: createNetworkModel(faults) });
  let steps = 0;
  driver.observe(() => steps++);
  const a = performance.now();
  driver.start();
  await driver.runUntil(days * DAY);
  return { ms: performance.now() - a, steps };
}

async function report(name: string, faults: readonly FaultWindow[], days: number): Promise<void> {
  const runs: Array<{ ms: number; steps: number }> = [];
  for (let i = 0; i < 5; i++) runs.push(await simulate(faults, days));
  const ms = median(runs.map((r) => r.ms));
  const steps = runs[0]!.steps;
  console.log(`${name.padEnd(34)} ${(days / (ms / 1000)).toFixed(1).padStart(8)} device-days/s  ${Math.round(steps / (ms / 1000)).toLocaleString('en').padStart(12)} steps/s  (${steps} steps per ${days} d)`);
}

await report('normal operation, 60 s interval', [], 7);
await report('outage (5xx all the time)', [{ fault: { kind: 'http.5xx' }, fromMs: 0, untilMs: Infinity }], 7);

{
  const n = 1_000_000;
  const times: number[] = [];
  for (let r = 0; r < 5; r++) {
    const s = createScheduler(0);
    let left = n;
    const tick = (): void => {
      if (--left > 0) s.after(50, tick);
    };
    const a = performance.now();
    s.after(0, tick);
    while (s.runNext());
    times.push(performance.now() - a);
  }
  const ms = median(times);
  console.log(`${'scheduler alone (chained events)'.padEnd(34)} ${Math.round(n / (ms / 1000)).toLocaleString('en').padStart(12)} events/s`);
}
