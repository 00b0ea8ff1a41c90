/**
 * @module demo/sim-device
 * One simulated device of the demo fleet: a NOR flash with MCUboot's primary, secondary and
 * scratch areas, the boot twin (swap-scratch, signature-checking), the device runtime of
 * `@slotwise/core/device` talking real DDI over HTTP, and the demo's fault switches (power cut
 * mid-download, power cut mid-swap). It keeps its own discrete-event scheduler; the fleet loop
 * (real-time-fleet.ts) advances it. Everything it learns about itself — app state transitions,
 * OTA milestones, boot decisions with the twin's decision path, flash slot pictures — is queued
 * as twin reports for `POST /api/v1/twin`, timestamped on the demo's wall-time mapping.
 */
import { createFlashGeometry, type FlashGeometry } from '@slotwise/core/flash/geometry';
import { createNorFlash, type NorFlash } from '@slotwise/core/flash/nor-flash';
import { openFlashArea, type FlashArea } from '@slotwise/core/flash/flash-area';
import { isPowerLoss } from '@slotwise/core/flash/power-loss';
import { boot, type BootResult } from '@slotwise/core/boot/loader';
import type { BootConfig } from '@slotwise/core/boot/config';
import { readSlotState, type TrailerLayout } from '@slotwise/core/boot/public-api';
import { swapTypeName } from '@slotwise/core/boot/constants';
import { parseImage } from '@slotwise/core/image/parse';
import { createScheduler, type SimScheduler } from '@slotwise/core/sim/scheduler';
import { createMcp9808Chip } from '@slotwise/core/device/mcp9808';
import { createNetworkModel } from '@slotwise/core/device/network-model';
import { createDeviceRuntime, type DeviceRuntime } from '@slotwise/core/device/runtime';
import { createDdiHttpTransport } from '@slotwise/core/device/ota/ddi-http';
import type { FaultWindow } from '@slotwise/core/device/faults';
import type { CryptoPort } from '@slotwise/core/crypto/port';
import type { Transport } from '@slotwise/core/protocol/transport';
import type { Random } from '@slotwise/core';

export const SECTOR_BYTES = 4096;
const SLOT_SECTORS = 32;
const SCRATCH_SECTORS = 4;
const BOOTLOADER_BYTES = 0x10000;

/** The demo board: 64 KiB bootloader, two 128 KiB slots, 16 KiB scratch, 4 KiB sectors. */
export const DEMO_GEOMETRY: FlashGeometry = createFlashGeometry({
  name: 'demo-nor',
  sectors: new Array<number>((BOOTLOADER_BYTES + (2 * SLOT_SECTORS + SCRATCH_SECTORS) * SECTOR_BYTES) / SECTOR_BYTES).fill(SECTOR_BYTES),
  writeAlign: 4,
  erasedValue: 0xff,
  areas: {
    bootloader: { id: 0, off: 0, size: BOOTLOADER_BYTES },
    primary: { id: 1, off: BOOTLOADER_BYTES, size: SLOT_SECTORS * SECTOR_BYTES },
    secondary: { id: 2, off: BOOTLOADER_BYTES + SLOT_SECTORS * SECTOR_BYTES, size: SLOT_SECTORS * SECTOR_BYTES },
    scratch: { id: 3, off: BOOTLOADER_BYTES + 2 * SLOT_SECTORS * SECTOR_BYTES, size: SCRATCH_SECTORS * SECTOR_BYTES },
  },
});

/** The demo's fault switches (besides those carried by firmware builds and network windows). */
export interface SimDeviceFaults {
  /** Power cut after this many secondary-slot writes of the first download. */
  cutMidDownloadAfterWrites?: number;
  /** Power cut after this many flash operations of the first swapping boot. */
  cutMidSwapAfterOps?: number;
  network?: readonly FaultWindow[];
}

export interface TwinEvent {
  seq: number;
  atMs: number;
  kind: 'app' | 'ota' | 'boot' | 'reset' | 'power' | 'fault';
  title: string;
  details?: Record<string, unknown>;
}

export interface SlotPicture {
  role: 'primary' | 'secondary' | 'scratch';
  sizeBytes: number;
  image: { version: string; sizeBytes: number } | null;
  trailer: { magic: 'good' | 'bad' | 'unset'; swapType: string; copyDone: 'set' | 'bad' | 'unset'; imageOk: 'set' | 'bad' | 'unset' } | null;
  usedSectors: number;
  sectorCount: number;
}

export interface SlotsReport {
  atMs: number;
  mode: string;
  sectorSizeBytes: number;
  slots: SlotPicture[];
  swap: { swapType: string; sectorsDone: number; sectorsTotal: number } | null;
  runningVersion: string | null;
}

export interface SimDeviceInput {
  controllerId: string;
  token: string;
  tenant: string;
  /** The factory image written to the primary slot (no trailer: confirmed). */
  factoryImage: Uint8Array;
  bootConfig: BootConfig;
  crypto: CryptoPort;
  /** HTTP to the server (fetch against 127.0.0.1). */
  transport: Transport;
  random: Random;
  /** Virtual time at which the device powers on. */
  startMs: number;
  /** Maps a virtual time to the wall time reported in the timeline. */
  wallOf: (virtualMs: number) => number;
  /** Milliseconds of wall time a swap animation lasts at least (the twin replays the boot's flash operations). */
  swapReplayWallMs: number;
  faults?: SimDeviceFaults;
  /** Labels shown on the Device page (which faults this device carries). */
  labels?: readonly string[];
}

export interface SimDevice {
  readonly controllerId: string;
  readonly token: string;
  readonly runtime: DeviceRuntime;
  readonly scheduler: SimScheduler;
  readonly labels: readonly string[];
  /** Runs the device up to virtual `atMs` (awaiting its HTTP exchanges). */
  advanceTo(atMs: number): Promise<void>;
  /** Timeline events, a fresh slot picture (when anything changed) and delivered samples since the last call. */
  takeReports(wallNowMs: number): { events: TwinEvent[]; slots: SlotsReport | null; samples: { temp: number; timestamp_ms: number }[] };
}

const NORMAL_CYCLE_TRANSITIONS_PER_BOOT = 8;

export function createSimDevice(input: SimDeviceInput): SimDevice {
  const flash: NorFlash = createNorFlash(DEMO_GEOMETRY);
  const primary = openFlashArea(flash, 'primary');
  const secondary = openFlashArea(flash, 'secondary');
  const scratch = openFlashArea(flash, 'scratch');
  const padded = new Uint8Array(Math.ceil(input.factoryImage.length / 4) * 4).fill(0xff);
  padded.set(input.factoryImage);
  primary.write(0, padded);

  const scheduler = createScheduler(input.startMs);
  const layout: TrailerLayout = { bootMaxAlign: input.bootConfig.bootMaxAlign, maxImgSectors: input.bootConfig.maxImgSectors, mode: input.bootConfig.mode };
  const faults = input.faults ?? {};
  const events: TwinEvent[] = [];
  let seq = 0;
  const bootStarts: number[] = [];
  let draining = false;
  const push = (kind: TwinEvent['kind'], title: string, details?: Record<string, unknown>, atVirtualMs = scheduler.nowMs()): void => {
    // Log lines recorded before this event come first, so the timeline stays in time order.
    if (!draining) takeLogs();
    events.push({ seq: seq++, atMs: Math.round(input.wallOf(atVirtualMs)), kind, title, ...(details === undefined ? {} : { details }) });
  };

  let inBoot = false;
  let swapFired = false;
  let downloadFired = false;
  let downloadCutReported = false;
  let secondaryWrites = 0;
  let swapReplay: { swapType: string; sectorsTotal: number; startWallMs: number; durationWallMs: number } | null = null;

  flash.observe((op) => {
    if (inBoot || op.area !== 'secondary' || op.op !== 'write') return;
    secondaryWrites++;
    const cutAfter = faults.cutMidDownloadAfterWrites;
    if (cutAfter !== undefined && !downloadFired && secondaryWrites >= cutAfter) {
      downloadFired = true;
      flash.armPowerCut(1);
    }
  });

  const bootloader = (): { booted: boolean; detail: string } => {
    const pending = readSlotState(secondary, layout).magic === 'good' || readSlotState(primary, layout).magic === 'good';
    const cutAfter = faults.cutMidSwapAfterOps;
    const willCut = cutAfter !== undefined && !swapFired && readSlotState(secondary, layout).magic === 'good';
    if (willCut) {
      swapFired = true;
      flash.armPowerCut(cutAfter);
    }
    inBoot = true;
    let r: BootResult;
    try {
      r = boot(flash, input.bootConfig, { recordData: false });
    } catch (e) {
      if (isPowerLoss(e)) push('power', 'Power cut during the swap', { fault: 'power cut mid-swap', afterFlashOps: cutAfter ?? null });
      throw e;
    } finally {
      inBoot = false;
    }
    if (willCut) flash.disarm();
    const version = r.boot?.version ?? null;
    const decision = r.events.find((e) => e.kind === 'decision');
    const resumed = r.events.some((e) => e.kind === 'progress' && e.resume);
    const title =
      r.outcome !== 'ok'
        ? `MCUboot: no bootable image (${r.outcome})`
        : r.swapType === 'none'
          ? `MCUboot: booted ${version ?? '?'} (no swap)`
          : `MCUboot: ${r.swapType} swap${resumed ? ' resumed' : ''}, booted ${version ?? '?'}`;
    push('boot', title, {
      outcome: r.outcome,
      swapType: r.swapType,
      version,
      reason: decision?.kind === 'decision' ? decision.meaning : null,
      flashOps: r.ops.length,
      events: r.events,
      trailers: r.trailers,
    });
    if (r.swapType !== 'none' && pending) {
      const primaryErases = new Set(r.ops.filter((o) => o.op === 'erase' && o.area === 'primary').map((o) => Math.floor(o.areaOff / SECTOR_BYTES)));
      swapReplay = { swapType: r.swapType, sectorsTotal: Math.max(1, primaryErases.size), startWallMs: Number.NaN, durationWallMs: input.swapReplayWallMs };
    }
    return { booted: r.outcome === 'ok', detail: `${r.outcome} ${r.swapType} ${version ?? ''}`.trim() };
  };

  let runtimeRef: DeviceRuntime | null = null;
  const runtime = createDeviceRuntime({
    scheduler,
    primary,
    secondary,
    trailer: layout,
    crypto: input.crypto,
    bootloader,
    sensor: createMcp9808Chip((atMs) => 21 + 3 * Math.sin(atMs / 3_600_000 + (input.random.seed % 100)) + ((atMs / 60_000) % 7) * 0.05),
    network: createNetworkModel(faults.network ?? []),
    transport: createDdiHttpTransport({ transport: input.transport, tenant: input.tenant, controllerId: input.controllerId, token: input.token }),
    device: { ota: { checkIntervalMs: 60_000, healthTimeoutMs: 300_000 } },
    // Drained at every report; the limit only matters if reports stop (a failed device).
    historyLimit: 2_000,
  });
  runtimeRef = runtime;

  let transitionsThisBoot = 0;
  let bootSeen = 0;
  runtime.driver.observe((before, _event, after) => {
    if (runtime.driver.bootCount !== bootSeen) {
      bootSeen = runtime.driver.bootCount;
      transitionsThisBoot = 0;
    }
    const from = before.app.state;
    const to = after.app.state;
    if (from === to) return;
    transitionsThisBoot++;
    // The steady IDLE→SAMPLE→SEND→WAIT cycle would drown the timeline: keep each boot's first
    // cycles and every transition into or out of ERROR.
    if (transitionsThisBoot <= NORMAL_CYCLE_TRANSITIONS_PER_BOOT || to === 'ERROR' || from === 'ERROR') {
      push('app', `${from} → ${to}`, { from, to, lastError: after.app.last_error, retry: after.app.retry_count });
    }
  });

  let lastOpCount = -1;
  let lastSwapDone = -1;

  function takeLogs(): void {
    // Called from push() before the runtime exists (the first boot runs inside powerOn).
    if (runtimeRef === null) return;
    draining = true;
    for (const l of runtimeRef.driver.drainLogs()) {
      if (l.kind === 'banner') {
        bootStarts.push(l.simMs);
        if (bootStarts.length > 64) bootStarts.shift(); // a crash loop boots for ever; old boots' samples are long posted
      }
      if (l.kind === 'banner') push('reset', `Booted firmware ${l.version} (reset: ${l.reason})`, { version: l.version, reason: l.reason, boot: l.boot }, l.simMs);
      else if (l.module === 'ota' || l.level === 'err') push(l.module === 'ota' ? 'ota' : 'fault', l.message, { level: l.level, module: l.module, uptimeMs: l.atMs }, l.simMs);
    }
    draining = false;
  }

  const usedSectors = (area: FlashArea): number => {
    let n = 0;
    for (const s of area.sectors()) {
      const bytes = area.read(s.off, s.size);
      const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2);
      if (words.some((w) => w !== 0xffffffff)) n++;
    }
    return n;
  };

  const imageOf = (area: FlashArea): SlotPicture['image'] => {
    const p = parseImage(area.read(0, area.size), { lenient: true });
    if (!p.ok) return null;
    const v = p.image.header.version;
    return { version: `${v.major}.${v.minor}.${v.revision}`, sizeBytes: p.image.header.hdrSize + p.image.header.imgSize };
  };

  const trailerOf = (area: FlashArea): SlotPicture['trailer'] => {
    const st = readSlotState(area, layout);
    return { magic: st.magic, swapType: swapTypeName(st.swapType), copyDone: st.copyDone, imageOk: st.imageOk };
  };

  const picture = (wallNowMs: number): SlotsReport => {
    let swap: SlotsReport['swap'] = null;
    if (swapReplay !== null) {
      if (Number.isNaN(swapReplay.startWallMs)) swapReplay.startWallMs = wallNowMs;
      const f = Math.min(1, (wallNowMs - swapReplay.startWallMs) / swapReplay.durationWallMs);
      swap = { swapType: swapReplay.swapType, sectorsDone: Math.round(f * swapReplay.sectorsTotal), sectorsTotal: swapReplay.sectorsTotal };
      if (f >= 1) swapReplay = null;
    }
    return {
      atMs: Math.round(wallNowMs),
      mode: input.bootConfig.mode,
      sectorSizeBytes: SECTOR_BYTES,
      slots: [
        { role: 'primary', sizeBytes: primary.size, image: imageOf(primary), trailer: trailerOf(primary), usedSectors: usedSectors(primary), sectorCount: primary.sectors().length },
        { role: 'secondary', sizeBytes: secondary.size, image: imageOf(secondary), trailer: trailerOf(secondary), usedSectors: usedSectors(secondary), sectorCount: secondary.sectors().length },
        { role: 'scratch', sizeBytes: scratch.size, image: null, trailer: null, usedSectors: usedSectors(scratch), sectorCount: scratch.sectors().length },
      ],
      swap,
      runningVersion: runtime.bricked ? null : (runtime.firmware()?.version ?? null),
    };
  };

  return {
    controllerId: input.controllerId,
    token: input.token,
    runtime,
    scheduler,
    labels: input.labels ?? [],
    async advanceTo(atMs) {
      if (bootSeen === 0 && runtime.driver.bootCount === 0 && runtime.boots.length === 0) runtime.powerOn();
      if (runtime.bricked) return;
      const before = runtime.powerLosses;
      await runtime.runUntil(atMs);
      if (runtime.powerLosses > before && downloadFired && !downloadCutReported) {
        downloadCutReported = true;
        push('power', 'Power cut during the download', { fault: 'power cut mid-download', afterSecondaryWrites: secondaryWrites });
      }
    },
    takeReports(wallNowMs) {
      takeLogs();
      const out = events.splice(0, events.length);
      let slots: SlotsReport | null = null;
      const swapDone = swapReplay === null ? -1 : Math.round(((wallNowMs - (Number.isNaN(swapReplay.startWallMs) ? wallNowMs : swapReplay.startWallMs)) / swapReplay.durationWallMs) * 100);
      if (flash.opCount !== lastOpCount || swapReplay !== null || swapDone !== lastSwapDone) {
        lastOpCount = flash.opCount;
        lastSwapDone = swapDone;
        slots = picture(wallNowMs);
      }
      const samples: { temp: number; timestamp_ms: number }[] = [];
      // The firmware stamps samples with its uptime; the demo posts them on the wall-time axis.
      // Draining keeps the driver's histories empty however long the demo runs.
      for (const s of runtime.driver.drainDelivered()) {
        samples.push({ temp: s.temp_mdeg, timestamp_ms: Math.round(input.wallOf(s.timestamp_ms + bootStartOf(s.timestamp_ms))) });
      }
      return { events: out, slots, samples };
    },
  };

  /** Virtual time of the boot during which an uptime stamp was taken (the latest boot not after now). */
  function bootStartOf(uptimeMs: number): number {
    const now = scheduler.nowMs();
    for (let i = bootStarts.length - 1; i >= 0; i--) {
      const start = bootStarts[i]!;
      if (start + uptimeMs <= now) return start;
    }
    return input.startMs;
  }
}
