/**
 * @module device/runtime
 * A whole device: the firmware driver (driver.ts) on top of a NOR flash holding MCUboot's slots
 * (issue 5 item 3). Every reset — OTA reboot, health reset, crash, watchdog, power-on — runs the
 * bootloader twin on the device's flash, then starts whatever image is in the primary slot,
 * reading its firmware descriptor. RAM state (app_ctx, buffer, ota_ctx) is lost; flash is kept.
 * The application reaches flash only as the real one does: secondary-slot erase/write and the
 * bootutil public API (set pending as test, set confirmed), never the loader (layering rule
 * `device-uses-public-boot-api-only`): the host injects the bootloader as a function.
 * A PowerLoss thrown by the fault-injecting flash is a power cut: the runtime powers back on.
 */
import { readSlotState, setConfirmed, setPending, type TrailerLayout } from '../boot/public-api.js';
import { trailerSize } from '../boot/trailer.js';
import type { CryptoPort } from '../crypto/port.js';
import { toHex } from '../bytes/hex.js';
import type { FlashArea } from '../flash/flash-area.js';
import { isPowerLoss } from '../flash/power-loss.js';
import { parseImage } from '../image/parse.js';
import type { SimScheduler } from '../sim/scheduler.js';
import { createDeviceDriver, type BootControlPort, type DeviceDriver, type DeviceDriverInput, type ResetReason, type SecondarySlotPort } from './driver.js';
import { readFirmware, type FirmwareDescriptor } from './firmware.js';
import type { Mcp9808Chip } from './mcp9808.js';
import type { NetworkModel } from './network-model.js';
import type { DdiTransport } from './ota/ddi.js';
import type { SavedAction } from './ota/ota-step.js';
import type { SampleSink } from './telemetry.js';

/**
 * What survives resets besides the slots (Zephyr: the settings partition): the saved OTA action
 * (hawkbit/action_id) and a boot counter the application bumps at every start (device.md G22).
 */
export interface SettingsStore {
  load(): SavedAction | null;
  save(action: SavedAction | null): void;
  /** Increments the persisted boot counter and returns it: the id of the boot starting now. */
  nextBootId(): number;
}

/** A settings store kept outside RAM for the life of this object (flash-like persistence). */
export function createMemorySettings(): SettingsStore {
  let saved: SavedAction | null = null;
  let boots = 0;
  return { load: () => saved, save: (a) => void (saved = a), nextBootId: () => ++boots };
}

/** What the bootloader reports: whether an image boots, and a line for the log. */
export interface BootloaderRun {
  readonly booted: boolean;
  readonly detail: string;
}

export interface DeviceRuntimeInput {
  readonly scheduler: SimScheduler;
  readonly primary: FlashArea;
  readonly secondary: FlashArea;
  readonly trailer: TrailerLayout;
  readonly crypto: CryptoPort;
  /** Runs MCUboot on the device's flash (wired by the host to boot/loader's `boot`). */
  readonly bootloader: () => BootloaderRun;
  readonly sensor: Mcp9808Chip;
  readonly network: NetworkModel;
  readonly transport: DdiTransport;
  /** Where samples go (the server's samples endpoint); default: the network model alone. */
  readonly samples?: SampleSink;
  readonly settings?: SettingsStore;
  readonly device?: DeviceDriverInput['device'];
  readonly watchdogMs?: number | null;
  /** See DeviceDriverInput.historyLimit. */
  readonly historyLimit?: number;
}

export interface DeviceRuntime {
  /** Power on: bootloader, then the firmware in the primary slot. */
  powerOn(): void;
  /** Power off at once (RAM lost). */
  powerCut(): void;
  /** Runs to `atMs`; a PowerLoss from the flash is a power cut followed by power-on. */
  runUntil(atMs: number): Promise<void>;
  readonly driver: DeviceDriver;
  /** Bootloader runs, in order. */
  readonly boots: readonly BootloaderRun[];
  /** True when the bootloader found nothing bootable (the device is bricked). */
  readonly bricked: boolean;
  readonly powerLosses: number;
  /** The descriptor of the image in the primary slot, if any. */
  firmware(): FirmwareDescriptor | null;
}

/** Sector size the OTA task erases by: the (uniform) sector size of the secondary slot. */
function uniformSectorSize(area: FlashArea): number {
  const sectors = area.sectors();
  const size = sectors[0]?.size ?? 0;
  if (size === 0 || sectors.some((s) => s.size !== size)) throw new RangeError(`device runtime: the secondary slot needs uniform sectors, got ${sectors.map((s) => s.size).join(',')}`);
  return size;
}

export function createDeviceRuntime(input: DeviceRuntimeInput): DeviceRuntime {
  const { primary, secondary, trailer, crypto } = input;
  const settings = input.settings ?? createMemorySettings();
  const sector = uniformSectorSize(secondary);
  // swap-offset expects the update one sector into the secondary slot (mcuboot.md §5.4).
  const base = trailer.mode === 'swap-offset' ? sector : 0;
  // The image must end before the first sector holding the trailer, so that the trailer
  // sectors can be erased before the test request without touching the image.
  const trailerStart = secondary.size - trailerSize(trailer, secondary.writeAlign);
  const trailerSector = Math.floor(trailerStart / sector) * sector;
  const imageLimit = trailerSector - base;
  const boots: BootloaderRun[] = [];
  let bricked = false;
  let powerLosses = 0;

  const firmware = (): FirmwareDescriptor | null => {
    const r = readFirmware(primary.read(0, primary.size));
    return r.ok ? r.descriptor : null;
  };

  const runningVersion = (): string => {
    const fw = firmware();
    if (fw !== null) return fw.version;
    const p = parseImage(primary.read(0, primary.size), { lenient: true });
    if (!p.ok) return 'unknown';
    const v = p.image.header.version;
    return `${v.major}.${v.minor}.${v.revision}`;
  };

  const slot: SecondarySlotPort = {
    erase(off, len) {
      // A new download in swap-offset mode also clears sector 0, so no stale header there competes.
      if (off === 0 && base > 0) secondary.erase(0, base);
      secondary.erase(base + off, len);
    },
    write(off, bytes) {
      // NOR writes are whole write-align units: pad the last chunk with the erased value.
      const a = secondary.writeAlign;
      const padded = bytes.length % a === 0 ? bytes : new Uint8Array(Math.ceil(bytes.length / a) * a).fill(secondary.erasedValue);
      if (padded !== bytes) padded.set(bytes);
      secondary.write(base + off, padded);
    },
    sha256: (len) => toHex(crypto.createHash('sha256').update(secondary.read(base, len)).digest()),
  };

  const bootControl: BootControlPort = {
    bootInfo() {
      const st = readSlotState(primary, trailer);
      // A factory image has no trailer; a swapped-in test image has magic but no image_ok.
      const confirmed = st.magic !== 'good' || st.imageOk === 'set';
      return { runningVersion: runningVersion(), confirmed, savedAction: settings.load() };
    },
    requestTestUpgrade() {
      secondary.erase(trailerSector, secondary.size - trailerSector);
      setPending(secondary, trailer, false);
    },
    confirm() {
      setConfirmed(primary, trailer);
    },
    saveAction: (a) => settings.save(a),
  };

  const runBootloader = (reason: ResetReason): boolean => {
    const r = input.bootloader();
    boots.push({ booted: r.booted, detail: `${reason}: ${r.detail}` });
    bricked = !r.booted;
    return r.booted;
  };

  const driver = createDeviceDriver({
    scheduler: input.scheduler,
    sensor: input.sensor,
    network: input.network,
    ota: { transport: input.transport, secondary: slot, boot: bootControl },
    device: { ...input.device, ota: { eraseSizeBytes: sector, slotSizeBytes: imageLimit, ...input.device?.ota } },
    ...(input.watchdogMs === undefined ? {} : { watchdogMs: input.watchdogMs }),
    ...(input.historyLimit === undefined ? {} : { historyLimit: input.historyLimit }),
    ...(input.samples === undefined ? {} : { samples: input.samples }),
    onReset: (reason) => runBootloader(reason),
    firmware,
    bootId: () => settings.nextBootId(),
  });

  const powerOn = (): void => {
    runBootloader('power-on');
    if (!bricked) driver.start();
  };

  return {
    powerOn,
    powerCut() {
      driver.powerCut();
    },
    async runUntil(atMs) {
      while (input.scheduler.nowMs() <= atMs) {
        try {
          await driver.runUntil(atMs);
          return;
        } catch (e) {
          if (!isPowerLoss(e)) throw e;
          powerLosses++;
          driver.powerCut();
          // Power comes back: the bootloader may itself be cut again by another armed fault.
          for (;;) {
            try {
              powerOn();
              break;
            } catch (again) {
              if (!isPowerLoss(again)) throw again;
              powerLosses++;
              driver.powerCut();
            }
          }
          if (bricked) return;
        }
      }
    },
    driver,
    boots,
    get bricked() {
      return bricked;
    },
    get powerLosses() {
      return powerLosses;
    },
    firmware,
  };
}
