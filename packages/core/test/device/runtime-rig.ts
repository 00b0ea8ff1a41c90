/**
 * A whole simulated device for tests: NOR flash with primary/secondary/scratch, the MCUboot
 * twin (swap-scratch) validating with the image module's verifier and the Ed25519 vector key,
 * the device runtime on top, and the fake DDI server.
 */
import { readFileSync } from 'node:fs';
import { nodeCrypto } from '../../src/node/crypto.js';
import { loadKey, type ImagePrivateKey } from '../../src/image/keys.js';
import { verifyImage } from '../../src/image/verify.js';
import { createFlashGeometry, type FlashGeometry } from '../../src/flash/geometry.js';
import { findBoardPreset } from '../../src/boards/presets.js';
import { createSlotValidator } from '../../src/image/slot-validator.js';
import type { UpgradeMode } from '../../src/boot/config.js';
import { createNorFlash, type NorFlash } from '../../src/flash/nor-flash.js';
import { openFlashArea } from '../../src/flash/flash-area.js';
import { boot, type BootResult } from '../../src/boot/loader.js';
import type { BootConfig } from '../../src/boot/config.js';
import type { SlotValidator } from '../../src/boot/validate.js';
import { createScheduler, type SimScheduler } from '../../src/sim/scheduler.js';
import { createMcp9808Chip } from '../../src/device/mcp9808.js';
import { createNetworkModel } from '../../src/device/network-model.js';
import { buildFirmwareImage, type FirmwareFaults } from '../../src/device/firmware.js';
import { createDeviceRuntime, type DeviceRuntime } from '../../src/device/runtime.js';
import { renderLog } from '../../src/device/driver.js';
import type { FaultWindow } from '../../src/device/faults.js';
import { createFakeDdiServer, type FakeDdiServer } from './ota-fakes.js';
import { VECTOR_DIR } from '../image-manifest.js';

export const key = loadKey(readFileSync(`${VECTOR_DIR}keys/root-ed25519.pem`, 'utf8'), nodeCrypto) as ImagePrivateKey;

const SECTOR = 4096;
const SLOT = 32 * SECTOR;
const SCRATCH = 4 * SECTOR;

export const geometry = createFlashGeometry({
  name: 'test-nor',
  sectors: new Array<number>((0x10000 + 2 * SLOT + SCRATCH) / SECTOR).fill(SECTOR),
  writeAlign: 4,
  erasedValue: 0xff,
  areas: {
    bootloader: { id: 0, off: 0, size: 0x10000 },
    primary: { id: 1, off: 0x10000, size: SLOT },
    secondary: { id: 2, off: 0x10000 + SLOT, size: SLOT },
    scratch: { id: 3, off: 0x10000 + 2 * SLOT, size: SCRATCH },
  },
});

const verifier: SlotValidator = {
  validate(image) {
    const r = verifyImage(image, { crypto: nodeCrypto, keys: key });
    return r.ok ? { valid: true, detail: 'signature ok' } : { valid: false, reason: r.reason, detail: r.detail };
  },
};

export const bootConfig: BootConfig = { mode: 'swap-scratch', bootMaxAlign: 8, maxImgSectors: 32, validatePrimarySlot: false, validator: verifier };

/** A firmware build (Ed25519: deterministic bytes). */
export function firmware(version: string, payloadSizeBytes: number, faults: FirmwareFaults = {}): Uint8Array {
  return buildFirmwareImage({ descriptor: { version, sampleIntervalMs: 60_000, faults }, key, payloadSizeBytes }, nodeCrypto).image;
}

/** A board preset + upgrade mode as a geometry and boot configuration (validator: image module). */
export function boardSetup(board: string, mode: UpgradeMode): { geometry: FlashGeometry; bootConfig: BootConfig } {
  const p = findBoardPreset(board);
  if (p === undefined) throw new RangeError(`unknown board ${board}`);
  return {
    geometry: createFlashGeometry(p.geometry),
    bootConfig: { mode, bootMaxAlign: p.bootMaxAlign, maxImgSectors: p.maxImgSectors, validatePrimarySlot: false, validator: createSlotValidator({ crypto: nodeCrypto, keys: key }) },
  };
}

export interface DeviceRig {
  readonly flash: NorFlash;
  readonly runtime: DeviceRuntime;
  readonly server: FakeDdiServer;
  readonly scheduler: SimScheduler;
  readonly bootResults: BootResult[];
  text(): string;
}

/** A factory-flashed device running `initial` (no trailer: a confirmed factory image). */
export function createDeviceRig(initial: Uint8Array, opts: { faults?: readonly FaultWindow[]; board?: { geometry: FlashGeometry; bootConfig: BootConfig } } = {}): DeviceRig {
  const setup = opts.board ?? { geometry, bootConfig };
  const flash = createNorFlash(setup.geometry);
  const primary = openFlashArea(flash, 'primary');
  const padded = new Uint8Array(Math.ceil(initial.length / 4) * 4).fill(0xff);
  padded.set(initial);
  primary.write(0, padded);
  const scheduler = createScheduler(0);
  const server = createFakeDdiServer();
  const faults = opts.faults ?? [];
  const bootResults: BootResult[] = [];
  const runtime = createDeviceRuntime({
    scheduler,
    primary,
    secondary: openFlashArea(flash, 'secondary'),
    trailer: { bootMaxAlign: setup.bootConfig.bootMaxAlign, maxImgSectors: setup.bootConfig.maxImgSectors, mode: setup.bootConfig.mode },
    crypto: nodeCrypto,
    bootloader: () => {
      const r = boot(flash, setup.bootConfig, { recordData: false });
      bootResults.push(r);
      return { booted: r.outcome === 'ok', detail: `${r.outcome} ${r.swapType} ${r.boot?.version ?? ''}`.trim() };
    },
    sensor: createMcp9808Chip(() => 22, faults),
    network: createNetworkModel(faults),
    transport: server,
  });
  return { flash, runtime, server, scheduler, bootResults, text: () => renderLog(runtime.driver.logs) };
}
