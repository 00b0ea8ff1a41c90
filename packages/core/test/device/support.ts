/**
 * Shared helpers of the device tests: build a device on the kernel with faults, run it on
 * virtual time, and compare a rendered transcript with a golden file next to the tests
 * (`UPDATE_GOLDEN=1` rewrites the file instead; review the diff before committing it).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createScheduler, type SimScheduler } from '../../src/sim/scheduler.js';
import { createDeviceDriver, renderLog, type DeviceDriver, type DeviceDriverInput } from '../../src/device/driver.js';
import { createMcp9808Chip } from '../../src/device/mcp9808.js';
import { createNetworkModel, type NetworkModel } from '../../src/device/network-model.js';
import type { FaultWindow } from '../../src/device/faults.js';

export interface Rig {
  readonly scheduler: SimScheduler;
  readonly driver: DeviceDriver;
  readonly network: NetworkModel;
  text(): string;
}

export function createRig(opts: {
  faults?: readonly FaultWindow[];
  temperatureC?: (atMs: number) => number;
  device?: DeviceDriverInput['device'];
  ota?: DeviceDriverInput['ota'];
  watchdogMs?: number | null;
  onReset?: DeviceDriverInput['onReset'];
  firmware?: DeviceDriverInput['firmware'];
} = {}): Rig {
  const scheduler = createScheduler(0);
  const faults = opts.faults ?? [];
  const network = createNetworkModel(faults);
  const driver = createDeviceDriver({
    scheduler,
    sensor: createMcp9808Chip(opts.temperatureC ?? (() => 23.125), faults),
    network,
    version: '1.0.0',
    ...(opts.device === undefined ? {} : { device: opts.device }),
    ...(opts.ota === undefined ? {} : { ota: opts.ota }),
    ...(opts.watchdogMs === undefined ? {} : { watchdogMs: opts.watchdogMs }),
    ...(opts.onReset === undefined ? {} : { onReset: opts.onReset }),
    ...(opts.firmware === undefined ? {} : { firmware: opts.firmware }),
  });
  return { scheduler, driver, network, text: () => renderLog(driver.logs) };
}

const goldenDir = fileURLToPath(new URL('./golden/', import.meta.url));

export function assertGolden(name: string, actual: string): void {
  const path = `${goldenDir}${name}`;
  if (process.env['UPDATE_GOLDEN'] === '1' || !existsSync(path)) {
    writeFileSync(path, `${actual}\n`);
    if (process.env['UPDATE_GOLDEN'] !== '1') assert.fail(`golden ${name} did not exist; written, review and commit it`);
    return;
  }
  assert.equal(`${actual}\n`, readFileSync(path, 'utf8'), `transcript differs from golden/${name}`);
}

/** Lines of a transcript without their timestamps. */
export function messages(text: string): string[] {
  return text.split('\n').map((l) => l.replace(/^\[[^\]]+\] /, ''));
}
