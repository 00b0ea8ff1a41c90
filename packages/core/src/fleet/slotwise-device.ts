/**
 * @module fleet/slotwise-device
 * Our own device in the fleet (client profile `slotwise`): the device of issue 5 itself — the
 * pure reducer of device/step.ts with its OTA task (device/ota/ota-step.ts), run by the device
 * driver (device/driver.ts) on the fleet's kernel — on its own board (sparse flash + MCUboot
 * twin from boards/factory.ts). This file holds no state machine: it wires the driver's ports.
 * - DDI exchanges and sample posts go over the fleet's link model (`FleetDeviceHost.send`, or
 *   `carry` when the server port takes no samples) through the driver's `DeviceLink` port; the
 *   HTTP mapping is the device's own (ota/ddi-http.ts).
 * - Every reset (OTA reboot, health reset, crash, watchdog, power-on) runs the bootloader twin
 *   on the board first; the firmware descriptor of the booted image (version, sample interval,
 *   bad-build faults) is what the driver starts, so faults act through the device's code paths.
 * - A PowerLoss from the flash, wherever it is thrown (download write, trailer write, inside the
 *   bootloader), is a power cut: the driver's RAM state dies, power returns after `powerOffMs`.
 * - The driver only schedules real wake-ups: main-loop iterations while a state has work (a
 *   50 ms tick each), the WAIT sleep in watchdog-sized slices, the answers of blocking calls, the
 *   health, crash and watchdog timers. A sampling cycle costs about ten kernel events.
 */
import { readSlotState, setConfirmed, setPending } from '../boot/public-api.js';
import { trailerSize } from '../boot/trailer.js';
import { toHex } from '../bytes/hex.js';
import { createDeviceDriver, type BootControlPort, type DeviceDriver, type DeviceLink, type DeviceLogRecord, type ResetReason, type SecondarySlotPort } from '../device/driver.js';
import { Errno } from '../device/errno.js';
import { readFirmware, type FirmwareDescriptor } from '../device/firmware.js';
import { createMcp9808Chip } from '../device/mcp9808.js';
import type { NetCall, NetworkModel } from '../device/network-model.js';
import type { DdiRequest, DdiResult, DdiTransport } from '../device/ota/ddi.js';
import { ddiHttpRequest, ddiHttpResult, type DdiHttpIdentity } from '../device/ota/ddi-http.js';
import type { BootInfo, SavedAction } from '../device/ota/ota-step.js';
import type { CreateDeviceStateInput } from '../device/step.js';
import type { SampleRecord } from '../device/sample-buffer.js';
import { isPowerLoss } from '../flash/power-loss.js';
import type { BoardDevice } from '../boards/factory.js';
import { SAMPLES_PATH } from '../protocol/telemetry.js';
import type { Random } from '../sim/random.js';
import type { SimScheduler, TimerId } from '../sim/scheduler.js';
import { primaryImageOf, type DeviceOutcomeTag, type ExchangeResult, type FleetDeviceHost, type FleetDeviceInput, type FleetMember } from './device.js';
import { inOutage, type LinkSpec } from './network.js';
import type { ClientProfile } from './profiles.js';
import type { PowerCutPhase } from './scenario.js';

/** Zephyr-numbered errno of an exchange that got no (whole) answer. */
function exchangeErr(r: ExchangeResult): number {
  if (r.ok) return r.broken ? -Errno.ECONNRESET : 0;
  return r.reason === 'outage' ? -Errno.ENETUNREACH : r.reason === 'lost' ? -Errno.ETIMEDOUT : -Errno.ECONNREFUSED;
}

const WIFI_JOIN_MS = 300;
const SAMPLE_BODY_BYTES = 60;
const SAMPLE_ANSWER_BYTES = 30;
const WATCHDOG_MS = 60_000;
const JOINED: NetCall = { err: 0, durationMs: WIFI_JOIN_MS };
const JOIN_FAILED: NetCall = { err: -Errno.ENETUNREACH, durationMs: WIFI_JOIN_MS };
const SENT: NetCall = { err: 0, durationMs: 0 };
const NOT_CONNECTED: NetCall = { err: -Errno.ENOTCONN, durationMs: 0 };
const NO_TRANSPORT: DdiTransport = { exchange: () => Promise.reject(new RangeError('fleet device: DDI goes over the link port')) };
/** Reducer build options per (profile settings, board layout), shared by the devices that have them. */
const DEVICE_OPTIONS = new Map<string, Omit<CreateDeviceStateInput, 'boot'>>();

/** The payload the device's telemetry sink would post (device/telemetry.ts shape). */
function sampleBody(record: SampleRecord, bootId: number): string {
  return JSON.stringify({ temp: record.temp_mdeg, timestamp_ms: record.timestamp_ms, boot_id: bootId });
}

export class SlotwiseFleetDevice implements FleetMember {
  readonly index: number;
  readonly controllerId: string;
  readonly profile: ClientProfile;
  readonly link: LinkSpec;
  readonly random: Random;
  readonly board: BoardDevice;
  /** The device's target token: with one, samples go to the server's telemetry (`POST /api/v1/samples`). */
  sampleToken: string | undefined;
  private readonly cutPlan: Set<PowerCutPhase>;
  private readonly powerOffMs: number;
  private readonly sector: number;
  private readonly base: number;
  private readonly trailerSector: number;
  private host!: FleetDeviceHost;
  private driverRef: DeviceDriver | undefined;
  // Flash and settings: survive resets.
  private saved: SavedAction | null = null;
  private firmware: FirmwareDescriptor | null = null;
  private powerEpoch = 0;
  private cutAtByte = -1;
  flashDirty = false;
  // Outcome accounting (outside the device, like a probe on its pins).
  running = 'none';
  bricked = false;
  confirmed = true;
  /** Images started (the settings boot counter; samples carry it as boot_id). */
  bootCount = 0;
  powerLosses = 0;
  polls = 0;
  downloadBytes = 0;
  completedBytes = 0;
  samplesDelivered = 0;
  readonly attempted = new Set<string>();
  readonly offered = new Set<string>();
  readonly confirmedAt = new Map<string, number>();

  constructor(input: FleetDeviceInput) {
    this.index = input.index;
    this.controllerId = input.controllerId;
    this.profile = input.profile;
    this.link = input.link;
    this.random = input.random;
    this.board = input.board;
    this.cutPlan = new Set(input.powerCuts);
    this.powerOffMs = input.powerOffMs;
    const sec = this.board.secondary;
    this.sector = sec.sectors()[0]?.size ?? 4096;
    // swap-offset expects the update one sector into the secondary slot (as device/runtime.ts).
    this.base = this.board.trailer.mode === 'swap-offset' ? this.sector : 0;
    const trailerStart = sec.size - trailerSize(this.board.trailer, sec.writeAlign);
    this.trailerSector = Math.floor(trailerStart / this.sector) * this.sector;
  }

  get isConfirmed(): boolean {
    return this.confirmed;
  }

  /** The driver running the reducer (after `attach`). */
  get driver(): DeviceDriver {
    if (this.driverRef === undefined) throw new RangeError(`fleet device ${this.controllerId}: not attached`);
    return this.driverRef;
  }

  get settled(): boolean {
    if (this.bricked) return true;
    const ota = this.driverRef?.state?.ota;
    if (ota === undefined || ota === null) return false;
    return ota.phase.tag === 'parked' && ota.deployment === null && ota.outbox.length === 0 && this.confirmed && this.saved === null;
  }

  compactFlash(): void {
    this.board.compact();
    this.flashDirty = false;
  }

  attach(host: FleetDeviceHost): void {
    this.host = host;
    this.driverRef = this.createDriver(host.scheduler);
  }

  powerOn(): void {
    this.guard(() => {
      if (this.bootloader('power-on')) this.driver.start();
    });
  }

  // ---- power -------------------------------------------------------------------------------

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      if (!isPowerLoss(e)) throw e;
      this.powerCut('flash operation refused');
    }
  }

  private powerCut(why: string): void {
    this.driver.powerCut();
    this.board.disarm();
    this.powerLosses++;
    this.trace(`power cut (${why})`);
    const mine = ++this.powerEpoch;
    this.host.after(this.powerOffMs, () => {
      if (mine !== this.powerEpoch) return;
      if (this.cutPlan.delete('recovery')) this.board.armPowerCut(1 + this.random.below(24));
      this.powerOn();
    });
  }

  /** MCUboot on this board; false when nothing boots (bricked). A PowerLoss escapes to `guard`. */
  private bootloader(reason: ResetReason): boolean {
    if (reason === 'ota' && this.cutPlan.delete('swap')) this.board.armPowerCut(1 + this.random.below(4 * this.board.board.maxImgSectors));
    const r = this.board.boot();
    this.board.disarm();
    if (r.outcome !== 'ok') {
      this.bricked = true;
      this.trace(`BRICKED after ${reason}: ${r.outcome} ${r.swapType}`);
      return false;
    }
    // Both slots now hold images many devices share: give the sectors to the pool at once.
    if (r.ops.length > 0 || this.flashDirty) this.compactFlash();
    // The application's boot counter (settings) counts starts of an image: the boot id of G22.
    this.bootCount++;
    const fw = readFirmware(primaryImageOf(this.board));
    this.firmware = fw.ok ? fw.descriptor : null;
    this.running = fw.ok ? fw.descriptor.version : 'unknown';
    const st = readSlotState(this.board.primary, this.board.trailer);
    // A factory image has no trailer; a swapped-in test image has magic but no image_ok.
    this.confirmed = st.magic !== 'good' || st.imageOk === 'set';
    if (this.confirmed && !this.confirmedAt.has(this.running)) this.confirmedAt.set(this.running, this.host.nowMs());
    this.trace(`boot ${this.running} (${reason}, swap ${r.swapType}, ${this.confirmed ? 'confirmed' : 'test'})`);
    return true;
  }

  /** The primary slot's image bytes (header, body, TLVs), without copying the rest of the slot. */
  private trace(line: string): void {
    this.host.trace(this, line);
  }

  // ---- the driver and its ports ---------------------------------------------------------------

  private createDriver(kernel: SimScheduler): DeviceDriver {
    const ports = new SlotwiseFleetDevice.Ports(this, kernel);
    const phase = (this.index * 0.618) % 1;
    // A room a few degrees apart from its neighbours, following a daily cycle.
    const sensor = createMcp9808Chip((atMs) => 21 + 4 * phase + 2 * Math.sin((2 * Math.PI * (atMs / 86_400_000 + phase)) % (2 * Math.PI)));
    return createDeviceDriver({
      scheduler: ports,
      sensor,
      network: ports,
      device: this.deviceOptions(),
      ota: { transport: NO_TRANSPORT, secondary: ports, boot: ports },
      watchdogMs: WATCHDOG_MS,
      historyLimit: 0,
      onLog: ports.onLog,
      link: ports,
      random: ports.random,
      onReset: ports.onReset,
      firmware: ports.firmware,
      bootId: ports.bootId,
    });
  }

  /** The reducer's build options: the same for every device of one profile on one board (shared). */
  private deviceOptions(): Omit<CreateDeviceStateInput, 'boot'> {
    const p = this.profile;
    const slotSizeBytes = this.trailerSector - this.base;
    const key = JSON.stringify([p.confirm, p.chunkBytes, p.chunksPerVisit, p.defaultPollMs, slotSizeBytes, this.sector, p.healthTimeoutMs, p.healthDelayMs, p.resume, p.jitter]);
    let options = DEVICE_OPTIONS.get(key);
    if (options === undefined) {
      options = {
        ota: {
          confirmPolicy: p.confirm,
          chunkBytes: p.chunkBytes ?? 4096,
          chunksPerWait: p.chunksPerVisit,
          checkIntervalMs: p.defaultPollMs,
          slotSizeBytes,
          eraseSizeBytes: this.sector,
          healthTimeoutMs: p.healthTimeoutMs,
          confirmAfterUptimeMs: p.confirm === 'health' ? p.healthDelayMs : 0,
          resumeDownloads: p.resume,
          checkJitter: p.jitter,
        },
      };
      DEVICE_OPTIONS.set(key, options);
    }
    return options;
  }

  /**
   * The driver's ports of one device as one object whose methods all devices share (a fleet holds
   * tens of thousands; per-device closures were a large part of their RAM): the kernel with every
   * timer guarded (a PowerLoss inside is this device's power cut), the secondary slot and the
   * boot control on the board, the link, and the Wi-Fi stack, which fails to join during a link
   * outage (sends need it up).
   */
  private static readonly Ports = class implements SimScheduler, SecondarySlotPort, BootControlPort, DeviceLink, NetworkModel {
    private up = false;
    private radio = true;
    private readonly d: SlotwiseFleetDevice;
    private readonly kernel: SimScheduler;
    private readonly identity: DdiHttpIdentity;

    constructor(d: SlotwiseFleetDevice, kernel: SimScheduler) {
      this.d = d;
      this.kernel = kernel;
      this.identity = { tenant: d.host.tenant, controllerId: d.controllerId, token: d.host.gatewayToken, scheme: 'GatewayToken' };
    }

    // ---- kernel
    nowMs(): number {
      return this.kernel.nowMs();
    }
    at(atMs: number, run: () => void): TimerId {
      return this.kernel.at(atMs, () => this.d.guard(run));
    }
    after(delayMs: number, run: () => void): TimerId {
      return this.kernel.after(delayMs, () => this.d.guard(run));
    }
    cancel(id: TimerId): void {
      this.kernel.cancel(id);
    }
    nextAtMs(): number | undefined {
      return this.kernel.nextAtMs();
    }
    runNext(): boolean {
      return this.kernel.runNext();
    }
    runUntil(atMs: number): number {
      return this.kernel.runUntil(atMs);
    }
    pending(): number {
      return this.kernel.pending();
    }

    // ---- secondary slot
    erase(off: number, len: number): void {
      const d = this.d;
      d.flashDirty = true;
      if (off === 0 && d.base > 0) d.board.secondary.erase(0, d.base);
      d.board.secondary.erase(d.base + off, len);
    }
    write(off: number, bytes: Uint8Array): void {
      this.d.writeSecondary(off, bytes);
    }
    sha256(len: number): string {
      const d = this.d;
      d.completedBytes += len;
      return toHex(d.host.crypto.createHash('sha256').update(d.board.secondary.read(d.base, len)).digest());
    }

    // ---- boot control
    bootInfo(): BootInfo {
      return { runningVersion: this.d.running, confirmed: this.d.confirmed, savedAction: this.d.saved };
    }
    requestTestUpgrade(): void {
      const d = this.d;
      const version = d.driver.state?.ota?.deployment?.version;
      if (version !== undefined) d.attempted.add(version);
      // The downloaded image is shared by every device that fetched it: pool its sectors.
      d.compactFlash();
      d.flashDirty = true;
      const sec = d.board.secondary;
      sec.erase(d.trailerSector, sec.size - d.trailerSector);
      setPending(sec, d.board.trailer, false);
    }
    confirm(): void {
      const d = this.d;
      d.flashDirty = true;
      setConfirmed(d.board.primary, d.board.trailer);
      d.confirmed = true;
      if (!d.confirmedAt.has(d.running)) d.confirmedAt.set(d.running, d.host.nowMs());
    }
    saveAction(a: SavedAction | null): void {
      this.d.saved = a;
    }

    // ---- driver hooks (the driver takes these as plain functions)
    readonly onLog = (r: DeviceLogRecord): void => {
      if (r.kind === 'log') this.d.trace(`<${r.level}> ${r.module}: ${r.message}`);
    };
    readonly random = (): number => this.d.random.float();
    readonly onReset = (reason: ResetReason): boolean => {
      this.d.trace(`reset (${reason})`);
      return this.d.bootloader(reason);
    };
    readonly firmware = (): FirmwareDescriptor | null => this.d.firmware;
    readonly bootId = (): number => this.d.bootCount;

    // ---- link
    ddi(request: DdiRequest, done: (r: DdiResult) => void): void {
      const d = this.d;
      if (request.kind === 'poll') d.polls++;
      d.host.send(d, ddiHttpRequest(this.identity, request), (r) =>
        d.guard(() => {
          if (request.kind === 'download' && r.ok) d.downloadBytes += r.body.length;
          const err = exchangeErr(r);
          const result: DdiResult = err !== 0 || !r.ok ? { ok: false, err } : ddiHttpResult(request, { status: r.status, headers: {}, body: r.body });
          if (result.ok && result.answer.kind === 'deploymentBase') d.offered.add(result.answer.deployment.version);
          done(result);
        }),
      );
    }
    sample(record: SampleRecord, bootId: number, done: (err: number) => void): void {
      const d = this.d;
      const finish = (err: number): void =>
        d.guard(() => {
          if (err === 0) d.samplesDelivered++;
          done(err);
        });
      const token = d.sampleToken;
      if (token === undefined) {
        d.host.carry(d, SAMPLE_BODY_BYTES, SAMPLE_ANSWER_BYTES, (r) => finish(exchangeErr(r)));
        return;
      }
      const request = { method: 'POST' as const, url: SAMPLES_PATH, headers: { authorization: `TargetToken ${token}`, 'content-type': 'application/json' }, body: sampleBody(record, bootId) };
      d.host.send(d, request, (r) => {
        const err = exchangeErr(r);
        finish(err !== 0 || !r.ok ? err : r.status >= 200 && r.status < 300 ? 0 : r.status === 401 || r.status === 403 ? -Errno.EACCES : -Errno.EIO);
      });
    }

    // ---- Wi-Fi stack
    init(atMs: number): NetCall {
      this.radio = true;
      this.up = !inOutage(this.d.link, atMs - this.d.host.startMs);
      return this.up ? JOINED : JOIN_FAILED;
    }
    exchange(): NetCall {
      return this.up && this.radio ? SENT : NOT_CONNECTED;
    }
    suspend(): void {
      this.radio = false;
    }
    resume(): void {
      this.radio = true;
    }
    reset(): void {
      this.up = false;
      this.radio = true;
    }
    get socketOpen(): boolean {
      return this.up && this.radio;
    }
    get radioOn(): boolean {
      return this.radio;
    }
  };

  /** Writes a download chunk; a planned mid-download power cut hits at a random byte of the image. */
  private writeSecondary(off: number, bytes: Uint8Array): void {
    const sec = this.board.secondary;
    if (this.cutPlan.has('download')) {
      const size = this.driver.state?.ota?.ctx.image_size ?? 0;
      if (this.cutAtByte < 0 && size > 0) this.cutAtByte = this.random.below(size);
      if (this.cutAtByte >= 0 && off + bytes.length > this.cutAtByte) {
        this.cutAtByte = -1;
        this.cutPlan.delete('download');
        this.board.armPowerCut(1);
      }
    }
    // NOR writes are whole write-align units: pad the last chunk with the erased value.
    const a = sec.writeAlign;
    const padded = bytes.length % a === 0 ? bytes : new Uint8Array(Math.ceil(bytes.length / a) * a).fill(sec.erasedValue);
    if (padded !== bytes) padded.set(bytes);
    this.flashDirty = true;
    sec.write(this.base + off, padded);
  }

  outcome(target: string | null): DeviceOutcomeTag {
    if (this.bricked) return 'bricked';
    if (target === null) return 'pending';
    if (this.running === target && this.confirmed) return 'updated';
    if (this.attempted.has(target)) return 'rolled_back';
    if (this.offered.has(target) && (this.driverRef?.state?.ota?.deployment ?? null) === null) return 'failed';
    return 'pending';
  }
}
