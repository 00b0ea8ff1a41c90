/**
 * @module commands/device
 * `slotwise device run --server URL --tenant T --id ID --token TOKEN --flash FILE
 * --layout BOARD [--mode M] [--key PUB.pem] [--init FW.bin] [--speed N] [--temp C]`:
 * a long-lived simulated device (the series' firmware, @slotwise/core/device) talking hawkBit
 * DDI and telemetry to a real server over HTTP, in real time scaled by --speed. Its flash lives
 * in FILE: every reset runs the MCUboot twin on it, and Ctrl-C or SIGKILL is a power cut —
 * running the command again continues from whatever the flash holds. The settings partition
 * (saved OTA action, boot counter) lives beside it in FILE.settings (node/file-settings.ts).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { nodeCrypto } from '@slotwise/core/node/crypto';
import { openFlashFile } from '@slotwise/core/node/flash-file';
import { openFileSettings } from '@slotwise/core/node/file-settings';
import { loadKey } from '@slotwise/core/image/keys';
import { createSlotValidator } from '@slotwise/core/image/slot-validator';
import { findBoardPreset, BOARD_PRESETS } from '@slotwise/core/boards/presets';
import { createFlashGeometry } from '@slotwise/core/flash/geometry';
import { openFlashArea } from '@slotwise/core/flash/flash-area';
import { boot } from '@slotwise/core/boot/loader';
import { UPGRADE_MODES, type UpgradeMode } from '@slotwise/core/boot/config';
import { createScheduler } from '@slotwise/core/sim/scheduler';
import { createMcp9808Chip } from '@slotwise/core/device/mcp9808';
import { createNetworkModel } from '@slotwise/core/device/network-model';
import { createDeviceRuntime } from '@slotwise/core/device/runtime';
import { createDdiHttpTransport } from '@slotwise/core/device/ota/ddi-http';
import { createHttpSampleSink } from '@slotwise/core/device/telemetry';
import { formatLogLine } from '@slotwise/core/device/log';
import type { DeviceLogRecord } from '@slotwise/core/device/driver';
import { createFetchTransport } from '@slotwise/server/transport/fetch-transport';
import { ExitCode } from '../exit-codes.js';
import { UsageError, exitCodeForError } from '../command-errors.js';

const HELP = `Usage: slotwise device run --server URL --id ID --token TOKEN --flash FILE --layout BOARD [options]

Runs one simulated device against a server: samples go to /api/v1/samples, updates come
through hawkBit DDI, the flash (MCUboot slots) lives in FILE. Ctrl-C or kill is a power cut;
run again with the same FILE to power the device back on. The settings partition (pending
OTA action, boot counter) is kept beside it in FILE.settings.

Options:
  --server URL      update server base URL (http://127.0.0.1:8080)
  --tenant T        DDI tenant                                          [DEFAULT]
  --id ID           controller id
  --token TOKEN     target security token
  --flash FILE      flash file (created erased if missing; then --init is required)
  --layout BOARD    board preset: ${BOARD_PRESETS.map((b) => b.name).join(', ')}
  --mode M          MCUboot upgrade mode: ${UPGRADE_MODES.join(', ')}   [swap-scratch]
  --key FILE        public key MCUboot trusts (PEM); without it images are checked by hash only
  --init FILE       factory image for the primary slot of a new flash file
  --speed N         virtual seconds per real second                    [1]
  --temp C          ambient temperature in °C                            [21.5]
  --no-flash-timing bootloader flash operations take no time (default: nRF52840-like
                    85 ms per 4 KiB erase, 41 µs per word written, scaled by --speed,
                    so a swap lasts long enough to pull the plug in the middle of it)
`;


function need(v: string | undefined, name: string): string {
  if (v === undefined || v === '') throw new UsageError(`${name} is required`);
  return v;
}

async function runDevice(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      server: { type: 'string' },
      tenant: { type: 'string', default: 'DEFAULT' },
      id: { type: 'string' },
      token: { type: 'string' },
      flash: { type: 'string' },
      layout: { type: 'string' },
      mode: { type: 'string', default: 'swap-scratch' },
      key: { type: 'string' },
      init: { type: 'string' },
      speed: { type: 'string', default: '1' },
      temp: { type: 'string', default: '21.5' },
      'no-flash-timing': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const server = need(values.server, '--server');
  const id = need(values.id, '--id');
  const token = need(values.token, '--token');
  const flashPath = need(values.flash, '--flash');
  const preset = findBoardPreset(need(values.layout, '--layout'));
  if (preset === undefined) throw new UsageError(`--layout: unknown board; known: ${BOARD_PRESETS.map((b) => b.name).join(', ')}`);
  const mode = values.mode as UpgradeMode;
  if (!UPGRADE_MODES.includes(mode)) throw new UsageError(`--mode: expected one of ${UPGRADE_MODES.join(', ')}`);
  const speed = Number(values.speed);
  if (!(speed > 0)) throw new UsageError('--speed: expected a positive number');
  const temp = Number(values.temp);
  if (!Number.isFinite(temp)) throw new UsageError('--temp: expected a number');

  const keys = values.key === undefined ? undefined : loadKey(readFileSync(values.key, 'utf8'), nodeCrypto);
  const bootConfig = {
    mode,
    bootMaxAlign: preset.bootMaxAlign,
    maxImgSectors: preset.maxImgSectors,
    validatePrimarySlot: false,
    validator: createSlotValidator({ crypto: nodeCrypto, ...(keys === undefined ? {} : { keys }) }),
  };
  const geometry = createFlashGeometry(preset.geometry);
  const settings = openFileSettings(`${flashPath}.settings`);
  const file = openFlashFile(flashPath, geometry);
  const primary = openFlashArea(file.flash, 'primary');
  if (file.created) {
    if (values.init === undefined) {
      file.close();
      process.stderr.write(`slotwise device run: '${flashPath}' is new and erased; give --init FW.bin to flash a factory image\n`);
      return ExitCode.BAD_INPUT;
    }
    const image = new Uint8Array(readFileSync(values.init));
    const padded = new Uint8Array(Math.ceil(image.length / geometry.writeAlign) * geometry.writeAlign).fill(geometry.erasedValue);
    padded.set(image);
    primary.write(0, padded);
  }

  // The bootloader is synchronous (as MCUboot is): its flash time is spent blocking, like the MCU.
  let inBootloader = false;
  if (!values['no-flash-timing']) {
    const pause = new Int32Array(new SharedArrayBuffer(4));
    file.flash.observe((op) => {
      if (!inBootloader) return;
      const ms = op.op === 'erase' ? (85 * op.len) / 4096 : (0.041 * op.len) / 4;
      Atomics.wait(pause, 0, 0, ms / speed);
    });
  }

  let drainLogs: () => readonly DeviceLogRecord[] = () => [];
  const flush = (): void => {
    // Printed lines are drained, so a device left running for days holds no log history.
    for (const r of drainLogs()) {
      process.stdout.write(r.kind === 'banner' ? `*** Booting firmware ${r.version} (reset: ${r.reason}) ***\n` : `${formatLogLine(r)}\n`);
    }
  };

  const scheduler = createScheduler(0);
  const transport = createFetchTransport(server);
  const runtime = createDeviceRuntime({
    scheduler,
    primary,
    secondary: openFlashArea(file.flash, 'secondary'),
    trailer: { bootMaxAlign: preset.bootMaxAlign, maxImgSectors: preset.maxImgSectors, mode },
    crypto: nodeCrypto,
    bootloader: () => {
      flush(); // the firmware's last lines come before the bootloader's
      process.stdout.write('[mcuboot] starting\n');
      inBootloader = true;
      let r;
      try {
        r = boot(file.flash, bootConfig, { recordData: false });
      } finally {
        inBootloader = false;
      }
      const detail = `${r.outcome}, swap ${r.swapType}${r.boot === undefined ? '' : `, booting ${r.boot.version}`}`;
      process.stdout.write(`[mcuboot] ${detail}\n`);
      return { booted: r.outcome === 'ok', detail };
    },
    sensor: createMcp9808Chip((t) => temp + Math.sin(t / 600_000) * 0.5),
    network: createNetworkModel([], { joinMs: 0, dnsMs: 0, connectMs: 0, rttMs: 0, bytesPerMs: Number.POSITIVE_INFINITY }),
    transport: createDdiHttpTransport({ transport, tenant: values.tenant, controllerId: id, token }),
    samples: createHttpSampleSink({ transport, token }),
    settings,
  });

  // Ctrl-C and kill are power cuts: the flash file already holds every completed operation.
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(130));

  drainLogs = () => runtime.driver.drainLogs();

  runtime.powerOn();
  flush();
  const startWall = performance.now();
  for (;;) {
    if (runtime.bricked) {
      flush();
      process.stderr.write('slotwise device run: no bootable image in the flash (bricked)\n');
      return ExitCode.FAILURE;
    }
    const next = scheduler.nextAtMs();
    if (next === undefined) break;
    const wait = startWall + next / speed - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, Math.min(wait, 1000)));
    if (startWall + next / speed > performance.now() + 1) continue;
    await runtime.runUntil(next);
    flush();
  }
  flush();
  file.close();
  return ExitCode.OK;
}

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  try {
    if (sub === 'run') return await runDevice(rest);
    if (sub === '--help' || sub === '-h' || sub === 'help') {
      process.stdout.write(HELP);
      return ExitCode.OK;
    }
    process.stderr.write(HELP);
    return ExitCode.USAGE;
  } catch (e) {
    return exitCodeForError('device', e);
  }
}
