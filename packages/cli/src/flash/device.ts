/**
 * @module flash/device
 * Runs one action (a boot, an application call) on a flash file that is the device: every op
 * goes through to the file as it happens (core node/file-flash.ts), is appended to the
 * `--trace-out` file as one JSON line, and `--cut-at N` refuses the N-th op and stops the run
 * there (the file keeps the N-1 ops before it). The hidden `--op-delay-ms` slows every op so a
 * test can kill the process mid-run.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { SlotwiseError } from '@slotwise/core/errors';
import type { FlashGeometry } from '@slotwise/core/flash/geometry';
import type { FlashOp, NorFlash } from '@slotwise/core/flash/nor-flash';
import { isPowerLoss } from '@slotwise/core/flash/power-loss';
import { openFileFlash } from '@slotwise/core/node/file-flash';
import { resolvePath, type CommandIo } from '../image/io.js';
import { flashSha256, opJson, sha256hex } from './context.js';

export interface DeviceOptions {
  readonly cutAt?: number | undefined;
  readonly traceOut?: string | undefined;
  readonly opDelayMs?: number | undefined;
}

/** The run was cut: what was done and what was refused. */
export interface PowerLost {
  readonly cutAt: number;
  readonly opsCompleted: number;
  readonly refusedOp: FlashOp;
  readonly flashSha256: string;
}

export type DeviceRun<T> = { readonly done: true; readonly value: T; readonly ops: number } | { readonly done: false; readonly lost: PowerLost };

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Opens the flash file, runs `action` on it with the options, closes it. */
export function runOnDevice<T>(io: CommandIo, path: string, geometry: FlashGeometry, o: DeviceOptions, action: (flash: NorFlash) => T): DeviceRun<T> {
  let traceFd: number | undefined;
  if (o.traceOut !== undefined) {
    try {
      traceFd = openSync(resolvePath(io, o.traceOut), 'w');
    } catch (error) {
      throw new SlotwiseError('SW_ERR_INPUT_INVALID', `cannot write trace file '${o.traceOut}': ${(error as { code?: string }).code ?? String(error)}`, { cause: error });
    }
  }
  let ops = 0;
  const device = openFileFlash(resolvePath(io, path), geometry, {
    afterOp(op) {
      ops++;
      if (traceFd !== undefined) writeSync(traceFd, JSON.stringify(opJson(op)) + '\n');
      if (o.opDelayMs !== undefined && o.opDelayMs > 0) Atomics.wait(sleeper, 0, 0, o.opDelayMs);
    },
  });
  try {
    if (o.cutAt !== undefined) device.flash.armPowerCut(o.cutAt);
    try {
      const value = action(device.flash);
      return { done: true, value, ops };
    } catch (error) {
      if (!isPowerLoss(error)) throw error;
      return { done: false, lost: { cutAt: o.cutAt ?? ops + 1, opsCompleted: ops, refusedOp: error.refusedOp, flashSha256: flashSha256(device.flash) } };
    }
  } finally {
    device.close();
    if (traceFd !== undefined) closeSync(traceFd);
  }
}

/** The power-cut report with the vectors' sweep-entry field names. */
export function powerLostJson(l: PowerLost): Record<string, unknown> {
  const refused = opJson(l.refusedOp);
  return { outcome: 'power-lost', cut_at: l.cutAt, ops_completed: l.opsCompleted, refused_op: refused, flash_sha256_after_cut: l.flashSha256 };
}

/** The power-cut report in words. */
export function powerLostText(l: PowerLost): string {
  const o = l.refusedOp;
  const what = `${o.op} ${o.area ?? 'device'}+0x${o.areaOff.toString(16)} (${o.len} bytes${o.op === 'write' && o.data !== undefined ? `, sha256 ${sha256hex(o.data).slice(0, 12)}…` : ''})`;
  return `power lost at operation ${l.cutAt}: ${what} was refused; the ${l.opsCompleted} operation${l.opsCompleted === 1 ? '' : 's'} before it are in the file.\n`;
}
