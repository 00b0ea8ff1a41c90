/** Shared by the fast and slow board/mode OTA sweeps: one whole-OTA run and its verdict. */
import assert from 'node:assert/strict';
import type { UpgradeMode } from '../../src/boot/config.js';
import { boardSetup, createDeviceRig, firmware } from './runtime-rig.js';
import { createRandom } from '../../src/sim/random.js';

const V1 = firmware('1.0.0', 20_000);
const V2 = firmware('2.0.0', 30_000);

export async function otaRun(board: string, mode: UpgradeMode, cutAt: number | null, torn = false) {
  const rig = createDeviceRig(V1, { board: boardSetup(board, mode) });
  rig.server.deploy('800', '2.0.0', V2);
  const before = rig.flash.opCount;
  if (cutAt !== null && torn) rig.flash.armTornWrite(cutAt, createRandom(cutAt));
  else if (cutAt !== null) rig.flash.armPowerCut(cutAt);
  rig.runtime.powerOn();
  await rig.runtime.runUntil(1_500_000);
  return { rig, ops: rig.flash.opCount - before };
}

export function checkOutcome(r: Awaited<ReturnType<typeof otaRun>>, label: string, mode: UpgradeMode): void {
  const { rig } = r;
  assert.equal(rig.runtime.bricked, false, `${label}: not bricked`);
  assert.ok(rig.bootResults.every((b) => b.outcome === 'ok'), `${label}: every boot found a valid image`);
  const finished = rig.server.feedback.map((f) => f.finished);
  const version = rig.runtime.firmware()?.version;
  if (mode !== 'overwrite-only' && finished.includes('failure')) {
    assert.equal(version, '1.0.0', `${label}: reverted`);
  } else {
    assert.equal(version, '2.0.0', `${label}: update completes (feedback ${finished.join(',')})`);
    assert.equal(rig.server.reportedVersion, '2.0.0', label);
  }
}

export const CASES: ReadonlyArray<readonly [string, UpgradeMode]> = [
  ['nrf52840', 'swap-scratch'],
  ['nrf52840', 'swap-move'],
  ['nrf52840', 'overwrite-only'],
  ['stm32u5', 'swap-scratch'],
  ['k64f', 'swap-move'],
  ['nrf52840-unequal', 'swap-move'],
  ['nrf52840-unequal-larger-slot1', 'swap-offset'],
];

