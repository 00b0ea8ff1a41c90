/**
 * A simulated device (runtime + NOR flash + MCUboot twin) wired to an in-process server
 * (inject transport) for the device ⇄ server tests.
 */
import { readFileSync } from 'node:fs';
import { nodeCrypto } from '@slotwise/core/node/crypto';
import { loadKey, type ImagePrivateKey } from '@slotwise/core/image/keys';
import { verifyImage } from '@slotwise/core/image/verify';
import { createFlashGeometry } from '@slotwise/core/flash/geometry';
import { createNorFlash } from '@slotwise/core/flash/nor-flash';
import { openFlashArea } from '@slotwise/core/flash/flash-area';
import { boot } from '@slotwise/core/boot/loader';
import type { BootConfig } from '@slotwise/core/boot/config';
import { createScheduler } from '@slotwise/core/sim/scheduler';
import { createMcp9808Chip } from '@slotwise/core/device/mcp9808';
import { createNetworkModel } from '@slotwise/core/device/network-model';
import { buildFirmwareImage, type FirmwareFaults } from '@slotwise/core/device/firmware';
import { createDeviceRuntime } from '@slotwise/core/device/runtime';
import { createDdiHttpTransport } from '@slotwise/core/device/ota/ddi-http';
import { createHttpSampleSink } from '@slotwise/core/device/telemetry';
import { renderLog } from '@slotwise/core/device/driver';
import type { Harness } from '../harness.js';
import { createInjectTransport } from '../../src/transport/inject-transport.js';

const KEYS = new URL('../../../../../shared/vectors/image/keys/', import.meta.url);
const key = loadKey(readFileSync(new URL('root-ed25519.pem', KEYS), 'utf8'), nodeCrypto) as ImagePrivateKey;

const SECTOR = 4096;
const SLOT = 32 * SECTOR;
const geometry = createFlashGeometry({
  name: 'e2e',
  sectors: new Array<number>((0x10000 + 2 * SLOT + 4 * SECTOR) / SECTOR).fill(SECTOR),
  writeAlign: 4,
  erasedValue: 0xff,
  areas: {
    bootloader: { id: 0, off: 0, size: 0x10000 },
    primary: { id: 1, off: 0x10000, size: SLOT },
    secondary: { id: 2, off: 0x10000 + SLOT, size: SLOT },
    scratch: { id: 3, off: 0x10000 + 2 * SLOT, size: 4 * SECTOR },
  },
});
const bootConfig: BootConfig = {
  mode: 'swap-scratch',
  bootMaxAlign: 8,
  maxImgSectors: 32,
  validatePrimarySlot: false,
  validator: {
    validate(image) {
      const r = verifyImage(image, { crypto: nodeCrypto, keys: key });
      return r.ok ? { valid: true, detail: 'ok' } : { valid: false, reason: r.reason, detail: r.detail };
    },
  },
};

export const fw = (version: string, size: number, faults: FirmwareFaults = {}): Uint8Array =>
  buildFirmwareImage({ descriptor: { version, sampleIntervalMs: 60_000, faults }, key, payloadSizeBytes: size }, nodeCrypto).image;

export function device(h: Harness, controllerId: string, token: string, initial: Uint8Array) {
  const flash = createNorFlash(geometry);
  const primary = openFlashArea(flash, 'primary');
  const padded = new Uint8Array(Math.ceil(initial.length / 4) * 4).fill(0xff);
  padded.set(initial);
  primary.write(0, padded);
  const scheduler = createScheduler(0);
  const versions: string[] = [];
  const runtime = createDeviceRuntime({
    scheduler,
    primary,
    secondary: openFlashArea(flash, 'secondary'),
    trailer: { bootMaxAlign: 8, maxImgSectors: 32, mode: 'swap-scratch' },
    crypto: nodeCrypto,
    bootloader: () => {
      const r = boot(flash, bootConfig, { recordData: false });
      versions.push(`${r.swapType}/${r.boot?.version ?? '-'}`);
      return { booted: r.outcome === 'ok', detail: r.outcome };
    },
    sensor: createMcp9808Chip(() => 21),
    network: createNetworkModel(),
    transport: createDdiHttpTransport({ transport: createInjectTransport(h.app), tenant: 'DEFAULT', controllerId, token }),
    samples: createHttpSampleSink({ transport: createInjectTransport(h.app), token }),
  });
  return { runtime, versions, flash, text: () => renderLog(runtime.driver.logs) };
}

export async function deviceView(h: Harness, id: string): Promise<{ runningVersion: string }> {
  return (await h.admin('GET', `/api/v1/devices/${id}`)).json() as { runningVersion: string };
}

export async function actions(h: Harness, id: string): Promise<Array<{ status: string }>> {
  return (await h.admin('GET', `/api/v1/devices/${id}/actions`)).json() as Array<{ status: string }>;
}
