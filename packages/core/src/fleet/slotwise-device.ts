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
import { createDeviceDriver, type DeviceDriver, type DeviceLink, type ResetReason } from '../device/driver.js';
import { Errno } from '../device/errno.js';
import { readFirmware, type FirmwareDescriptor } from '../device/firmware.js';
import { createMcp9808Chip } from '../device/mcp9808.js';
import type { NetworkModel } from '../device/network-model.js';
import type { DdiRequest, DdiResult } from '../device/ota/ddi.js';
import { ddiHttpRequest, ddiHttpResult } from '../device/ota/ddi-http.js';
import type { SavedAction } from '../device/ota/ota-step.js';
import type { SampleRecord } from '../device/sample-buffer.js';
import { isPowerLoss } from '../flash/power-loss.js';
import type { BoardDevice } from '../boards/factory.js';
import { SAMPLES_PATH } from '../protocol/telemetry.js';
import type { Random } from '../sim/random.js';
import type { SimScheduler } from '../sim/scheduler.js';
import type { DeviceOutcomeTag, ExchangeResult, FleetDeviceHost, FleetDeviceInput, FleetMember } from './device.js';
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
    const fw = readFirmware(this.primaryImage());
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
  private primaryImage(): Uint8Array {
    const p = this.board.primary;
    const h = p.read(0, 16);
    const len = (h[8]! | (h[9]! << 8)) + (h[10]! | (h[11]! << 8)) + ((h[12]! | (h[13]! << 8) | (h[14]! << 16) | (h[15]! << 24)) >>> 0) + 2048;
    return p.read(0, Math.min(p.size, len));
  }

  private trace(line: string): void {
    this.host.trace(this, line);
  }

  // ---- the driver and its ports ---------------------------------------------------------------

  private createDriver(kernel: SimScheduler): DeviceDriver {
    // Every timer the driver sets runs guarded: a PowerLoss inside is this device's power cut.
    const scheduler: SimScheduler = {
      ...kernel,
      nowMs: () => kernel.nowMs(),
      at: (atMs, run) => kernel.at(atMs, () => this.guard(run)),
      after: (delayMs, run) => kernel.after(delayMs, () => this.guard(run)),
      cancel: (id) => kernel.cancel(id),
    };
    const phase = (this.index * 0.618) % 1;
    // A room a few degrees apart from its neighbours, following a daily cycle.
    const sensor = createMcp9808Chip((atMs) => 21 + 4 * phase + 2 * Math.sin((2 * Math.PI * (atMs / 86_400_000 + phase)) % (2 * Math.PI)));
    const p = this.profile;
    return createDeviceDriver({
      scheduler,
      sensor,
      network: this.networkModel(),
      device: {
        ota: {
          confirmPolicy: p.confirm,
          chunkBytes: p.chunkBytes ?? 4096,
          chunksPerWait: p.chunksPerVisit,
          checkIntervalMs: p.defaultPollMs,
          slotSizeBytes: this.trailerSector - this.base,
          eraseSizeBytes: this.sector,
          healthTimeoutMs: p.healthTimeoutMs,
          confirmAfterUptimeMs: p.confirm === 'health' ? p.healthDelayMs : 0,
          resumeDownloads: p.resume,
          checkJitter: p.jitter,
        },
      },
      ota: {
        transport: { exchange: () => Promise.reject(new RangeError('fleet device: DDI goes over the link port')) },
        secondary: {
          erase: (off, len) => {
            this.flashDirty = true;
            if (off === 0 && this.base > 0) this.board.secondary.erase(0, this.base);
            this.board.secondary.erase(this.base + off, len);
          },
          write: (off, bytes) => this.writeSecondary(off, bytes),
          sha256: (len) => {
            this.completedBytes += len;
            return toHex(this.host.crypto.createHash('sha256').update(this.board.secondary.read(this.base, len)).digest());
          },
        },
        boot: {
          bootInfo: () => ({ runningVersion: this.running, confirmed: this.confirmed, savedAction: this.saved }),
          requestTestUpgrade: () => {
            const version = this.driver.state?.ota?.deployment?.version;
            if (version !== undefined) this.attempted.add(version);
            // The downloaded image is shared by every device that fetched it: pool its sectors.
            this.compactFlash();
            this.flashDirty = true;
            const sec = this.board.secondary;
            sec.erase(this.trailerSector, sec.size - this.trailerSector);
            setPending(sec, this.board.trailer, false);
          },
          confirm: () => {
            this.flashDirty = true;
            setConfirmed(this.board.primary, this.board.trailer);
            this.confirmed = true;
            if (!this.confirmedAt.has(this.running)) this.confirmedAt.set(this.running, this.host.nowMs());
          },
          saveAction: (a) => {
            this.saved = a;
          },
        },
      },
      watchdogMs: WATCHDOG_MS,
      historyLimit: 0,
      onLog: (r) => {
        if (r.kind === 'log') this.trace(`<${r.level}> ${r.module}: ${r.message}`);
      },
      link: this.deviceLink(),
      random: () => this.random.float(),
      onReset: (reason) => {
        this.trace(`reset (${reason})`);
        return this.bootloader(reason);
      },
      firmware: () => this.firmware,
      bootId: () => this.bootCount,
    });
  }

  /** The device's network stack: Wi-Fi join fails while the link is in an outage; sends need it up. */
  private networkModel(): NetworkModel {
    let up = false;
    let radioOn = true;
    return {
      init: (atMs) => {
        radioOn = true;
        up = !inOutage(this.link, atMs - this.host.startMs);
        return { err: up ? 0 : -Errno.ENETUNREACH, durationMs: WIFI_JOIN_MS };
      },
      exchange: () => (up && radioOn ? { err: 0, durationMs: 0 } : { err: -Errno.ENOTCONN, durationMs: 0 }),
      suspend: () => {
        radioOn = false;
      },
      resume: () => {
        radioOn = true;
      },
      reset: () => {
        up = false;
        radioOn = true;
      },
      get socketOpen() {
        return up && radioOn;
      },
      get radioOn() {
        return radioOn;
      },
    };
  }

  private deviceLink(): DeviceLink {
    const identity = { tenant: this.host.tenant, controllerId: this.controllerId, token: this.host.gatewayToken, scheme: 'GatewayToken' as const };
    return {
      ddi: (request: DdiRequest, done: (r: DdiResult) => void) => {
        if (request.kind === 'poll') this.polls++;
        this.host.send(this, ddiHttpRequest(identity, request), (r) =>
          this.guard(() => {
            if (request.kind === 'download' && r.ok) this.downloadBytes += r.body.length;
            const err = exchangeErr(r);
            const result: DdiResult = err !== 0 || !r.ok ? { ok: false, err } : ddiHttpResult(request, { status: r.status, headers: {}, body: r.body });
            if (result.ok && result.answer.kind === 'deploymentBase') this.offered.add(result.answer.deployment.version);
            done(result);
          }),
        );
      },
      sample: (record, bootId, done) => {
        const finish = (err: number): void =>
          this.guard(() => {
            if (err === 0) this.samplesDelivered++;
            done(err);
          });
        const token = this.sampleToken;
        if (token === undefined) {
          this.host.carry(this, SAMPLE_BODY_BYTES, SAMPLE_ANSWER_BYTES, (r) => finish(exchangeErr(r)));
          return;
        }
        const request = { method: 'POST' as const, url: SAMPLES_PATH, headers: { authorization: `TargetToken ${token}`, 'content-type': 'application/json' }, body: sampleBody(record, bootId) };
        this.host.send(this, request, (r) => {
          const err = exchangeErr(r);
          finish(err !== 0 || !r.ok ? err : r.status >= 200 && r.status < 300 ? 0 : r.status === 401 || r.status === 403 ? -Errno.EACCES : -Errno.EIO);
        });
      },
    };
  }

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
