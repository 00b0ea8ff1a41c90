/**
 * @module device/driver
 * The thin driver that runs the pure reducer (step.ts) on the discrete-event kernel: it turns
 * effects into calls on the injected sensor, network, DDI, flash and boot ports, feeds their
 * results back as events at the virtual time the blocking call ends, stamps log entries with
 * uptime, models the Step 10 watchdog, and performs reboots (RAM state lost, ports kept).
 * DDI exchanges may be asynchronous (an in-process server); `runUntil` awaits each one before
 * taking the next event, so runs stay deterministic. Its log and delivered-sample histories are
 * bounded (the newest `historyLimit` of each are kept): long-running hosts drain them instead,
 * or keep none and take each log record as it comes (`onLog`). A host that models the link
 * itself (the fleet) passes a `link`: requests that get past the local network stack are handed
 * to it, and it answers by callback at the virtual time the answer arrives.
 */
import type { SimScheduler, TimerId } from '../sim/scheduler.js';
import { formatLogLine, type LogLevel } from './log.js';
import { mcp9808Init, mcp9808Sample, type Mcp9808Chip } from './mcp9808.js';
import type { NetworkModel } from './network-model.js';
import { isLiteral } from './options.js';
import type { DdiRequest, DdiResult, DdiTransport } from './ota/ddi.js';
import type { BootInfo, SavedAction } from './ota/ota-step.js';
import type { SampleRecord } from './sample-buffer.js';
import { Errno } from './errno.js';
import type { FirmwareDescriptor, FirmwareFaults } from './firmware.js';
import type { SampleSink } from './telemetry.js';
import { createDeviceState, step, type CreateDeviceStateInput, type DeviceEffect, type DeviceEvent, type DeviceState } from './step.js';

/** The secondary slot as the application sees it (flash_img / flash_area of the upload slot). */
export interface SecondarySlotPort {
  erase(offset: number, length: number): void;
  write(offset: number, bytes: Uint8Array): void;
  /** Lower-case hex SHA-256 of the first `length` bytes. */
  sha256(length: number): string;
}

/** The bootutil public API the application links (set pending as test, confirm), nothing of the loader. */
export interface BootControlPort {
  /** What is running now (read after every reboot). */
  bootInfo(): BootInfo;
  requestTestUpgrade(): void;
  confirm(): void;
  /** Persists the action being installed (Zephyr: settings key hawkbit/action_id). */
  saveAction(action: SavedAction | null): void;
}

export interface OtaPorts {
  readonly transport: DdiTransport;
  readonly secondary: SecondarySlotPort;
  readonly boot: BootControlPort;
}

export type ResetReason = 'power-on' | 'ota' | 'health' | 'watchdog' | 'crash';

/**
 * The device's requests as a host that models the link carries them: each `done` runs once, at
 * the virtual time the answer (or the failure) reaches the device, from a kernel event.
 */
export interface DeviceLink {
  ddi(request: DdiRequest, done: (result: DdiResult) => void): void;
  /** One `POST /api/v1/samples`; `done(0)` or a negative errno. */
  sample(record: SampleRecord, bootId: number, done: (err: number) => void): void;
}

/** A log line as the driver recorded it: uptime stamp plus simulation time and boot number. */
export type DeviceLogRecord =
  | { readonly kind: 'log'; readonly simMs: number; readonly boot: number; readonly atMs: number; readonly level: LogLevel; readonly module: string; readonly message: string }
  | { readonly kind: 'banner'; readonly simMs: number; readonly boot: number; readonly version: string; readonly reason: ResetReason };

export interface DeviceDriverInput {
  readonly scheduler: SimScheduler;
  readonly sensor: Mcp9808Chip;
  readonly network: NetworkModel;
  readonly device?: Omit<CreateDeviceStateInput, 'boot'>;
  readonly ota?: OtaPorts;
  /** Step 10 watchdog timeout; null disables the watchdog (the device "after Step 8"). */
  readonly watchdogMs?: number | null;
  /** Where SEND delivers (e.g. the server's samples endpoint); without one, the network model alone decides. */
  readonly samples?: SampleSink;
  /** Version shown in the boot banner when there is no OTA port to ask. */
  readonly version?: string;
  /**
   * Called when the device resets, before it starts again (e.g. to run the bootloader twin).
   * Returning false leaves the device off (nothing bootable).
   */
  readonly onReset?: (reason: ResetReason) => boolean | void;
  /**
   * The descriptor of the image that is starting (read at every boot from the slot MCUboot
   * booted): its sample interval and fault switches apply to this boot only.
   */
  readonly firmware?: () => FirmwareDescriptor | null;
  /**
   * Called once at every boot: the id that boot's samples carry to the sink (device.md G22),
   * e.g. a boot counter kept in the settings partition. Default: the driver's own boot count.
   */
  readonly bootId?: () => number;
  /** Log records and delivered samples kept each before the oldest are dropped (default 50 000; 0 keeps none). */
  readonly historyLimit?: number;
  /** Called with every log record (banners included) as it is made. */
  readonly onLog?: (record: DeviceLogRecord) => void;
  /**
   * Carries DDI exchanges and sample posts instead of `ota.transport` / `samples`; the network
   * model still decides whether a request can leave the device (and how long that takes).
   */
  readonly link?: DeviceLink;
  /** Uniform draws in [0, 1) for the OTA task's G7 check jitter (carried in poll answers' events). */
  readonly random?: () => number;
}

/** Observes every reducer step (for tests and traces). */
export type StepObserver = (before: DeviceState, event: DeviceEvent, after: DeviceState, effects: readonly DeviceEffect[]) => void;

export interface DeviceDriver {
  /** Powers the device on at the scheduler's current time. */
  start(): void;
  /** Cuts power: RAM state and timers are gone; `start()` powers on again. */
  powerCut(): void;
  /** Runs events up to and including `atMs`, awaiting asynchronous DDI exchanges in order. */
  runUntil(atMs: number): Promise<void>;
  readonly state: DeviceState | null;
  /** Log records not drained yet, oldest first (at most the newest `historyLimit`). */
  readonly logs: readonly DeviceLogRecord[];
  /** Records the server accepted and not drained yet, in delivery order (at-least-once; bounded like `logs`). */
  readonly delivered: readonly SampleRecord[];
  /** Removes and returns the log records held (for hosts that forward them). */
  drainLogs(): DeviceLogRecord[];
  /** Removes and returns the delivered records held. */
  drainDelivered(): SampleRecord[];
  readonly bootCount: number;
  observe(observer: StepObserver): void;
}

/** Renders the driver's log in the series' text shape, with a banner line at each boot. */
export function renderLog(records: readonly DeviceLogRecord[]): string {
  return records
    .map((r) => (r.kind === 'banner' ? `*** Booting firmware ${r.version} (reset: ${r.reason}) ***` : formatLogLine(r)))
    .join('\n');
}

const DEFAULT_HISTORY_LIMIT = 50_000;

/** Appends to a bounded history: past the limit by a quarter, the oldest are cut back to it (amortised O(1)). */
function pushBounded<T>(list: T[], item: T, limit: number): void {
  list.push(item);
  if (list.length > limit + Math.max(limit === 0 ? 0 : 1, limit >> 2)) list.splice(0, list.length - limit);
}

const SAMPLE_PAYLOAD_BYTES = 48; // {"temp": 23125, "timestamp_ms": 1234567} (+ "boot_id" rides in the same frame)
const DDI_JSON_BYTES = 400;

export function createDeviceDriver(input: DeviceDriverInput): DeviceDriver {
  return new Driver(input);
}

type Dispatchable = DeviceEvent['type'];

/**
 * The driver as one object whose methods live on the prototype: a fleet runs tens of thousands of
 * them, so per-device closures were most of a device's RAM.
 */
class Driver implements DeviceDriver {
  private readonly input: DeviceDriverInput;
  private readonly scheduler: SimScheduler;
  private readonly watchdogMs: number | null;
  private readonly historyLimit: number;
  private currentState: DeviceState | null = null;
  private epoch = 0;
  private bootAt = 0;
  private boots = 0;
  private bootId = 0;
  private watchdog: TimerId | undefined;
  private readonly timers = new Set<TimerId>();
  readonly logs: DeviceLogRecord[] = [];
  readonly delivered: SampleRecord[] = [];
  private observers: StepObserver[] | undefined;
  private inflight: Promise<void> | undefined;
  private faults: FirmwareFaults = NO_FAULTS;
  // One pending watchdog timer at a time: a feed only moves `fedAt`; when the timer comes due
  // before `fedAt + watchdogMs` it re-arms there, so the reset happens at the same instant as
  // with a timer restarted at every feed, for a fraction of the kernel events.
  private fedAt = 0;

  constructor(input: DeviceDriverInput) {
    this.input = input;
    this.scheduler = input.scheduler;
    this.watchdogMs = input.watchdogMs === undefined ? 60_000 : input.watchdogMs;
    const historyLimit = input.historyLimit ?? DEFAULT_HISTORY_LIMIT;
    if (!Number.isInteger(historyLimit) || historyLimit < 0) throw new RangeError(`device driver: expected historyLimit to be a non-negative integer, got ${historyLimit}`);
    this.historyLimit = historyLimit;
  }

  get state(): DeviceState | null {
    return this.currentState;
  }

  get bootCount(): number {
    return this.boots;
  }

  private uptime(): number {
    return this.scheduler.nowMs() - this.bootAt;
  }

  /** Schedules `fn` in the current boot only: a reset silently voids it. */
  private later(atMs: number, fn: () => void): void {
    const mine = this.epoch;
    const id = this.scheduler.at(atMs, () => {
      this.timers.delete(id);
      if (mine === this.epoch) fn();
    });
    this.timers.add(id);
  }

  /** Dispatches an event that carries nothing but the uptime at which it happens, `afterMs` from now. */
  private laterEvent(afterMs: number, type: Extract<Dispatchable, 'tick' | 'sleep.elapsed' | 'health.expired'>): void {
    this.later(this.scheduler.nowMs() + afterMs, () => this.dispatch({ type, atMs: this.uptime() }));
  }

  private keep(r: DeviceLogRecord): void {
    if (this.historyLimit > 0) pushBounded(this.logs, r, this.historyLimit);
    this.input.onLog?.(r);
  }

  private record(level: LogLevel, module: string, message: string): void {
    this.keep({ kind: 'log', simMs: this.scheduler.nowMs(), boot: this.boots, atMs: this.uptime(), level, module, message });
  }

  private armWatchdog(atMs: number): void {
    const mine = this.epoch;
    this.watchdog = this.scheduler.at(atMs, () => {
      this.watchdog = undefined;
      if (mine !== this.epoch || this.watchdogMs === null) return;
      const due = this.fedAt + this.watchdogMs;
      if (this.scheduler.nowMs() >= due) this.reset('watchdog');
      else this.armWatchdog(due);
    });
  }

  private feedWatchdog(): void {
    if (this.watchdogMs === null) return;
    this.fedAt = this.scheduler.nowMs();
    if (this.watchdog === undefined) this.armWatchdog(this.fedAt + this.watchdogMs);
  }

  private dispatch(event: DeviceEvent): void {
    const before = this.currentState;
    if (before === null) return;
    const [after, effects] = step(before, event);
    this.currentState = after;
    if (this.observers !== undefined) for (const o of this.observers) o(before, event, after, effects);
    const mine = this.epoch;
    for (const effect of effects) {
      if (this.epoch !== mine) break; // a reboot effect voided the rest of this step's RAM work
      this.run(effect);
    }
  }

  private ddiResult(result: DdiResult, poll: boolean): DeviceEvent {
    const random = this.input.random;
    return random !== undefined && poll ? { type: 'ota.ddi.result', atMs: this.uptime(), result, draw: random() } : { type: 'ota.ddi.result', atMs: this.uptime(), result };
  }

  private ddi(request: DdiRequest): void {
    const ota = this.input.ota;
    if (ota === undefined) throw new RangeError('device driver: a DDI request without OTA ports');
    const issuedAt = this.scheduler.nowMs();
    const bytes = request.kind === 'download' ? request.toByte - request.fromByte + 1 : DDI_JSON_BYTES;
    const net = this.input.network.exchange(issuedAt, bytes, 'ddi');
    const poll = request.kind === 'poll';
    const deliver = (result: DdiResult): void => this.later(issuedAt + net.durationMs, () => this.dispatch(this.ddiResult(result, poll)));
    if (net.err !== 0) {
      deliver({ ok: false, err: net.err });
      return;
    }
    const mine = this.epoch;
    const link = this.input.link;
    if (link !== undefined) {
      link.ddi(request, (result) => {
        if (mine === this.epoch) this.dispatch(this.ddiResult(result, poll));
      });
      return;
    }
    this.inflight = ota.transport.exchange(request).then((result) => {
      if (mine === this.epoch) deliver(result);
    });
  }

  private sent(record: SampleRecord, err: number): void {
    if (err === 0 && this.historyLimit > 0) pushBounded(this.delivered, record, this.historyLimit);
    this.dispatch({ type: 'http.send.done', atMs: this.uptime(), err });
  }

  private send(record: SampleRecord): void {
    const now = this.scheduler.nowMs();
    const r = this.input.network.exchange(now, SAMPLE_PAYLOAD_BYTES, 'samples');
    const done = (err: number): void => this.later(now + r.durationMs, () => this.sent(record, err));
    const mine = this.epoch;
    const link = this.input.link;
    if (r.err === 0 && link !== undefined) {
      link.sample(record, this.bootId, (err) => {
        if (mine === this.epoch) this.sent(record, err);
      });
      return;
    }
    const samples = this.input.samples;
    if (r.err !== 0 || samples === undefined) {
      done(r.err);
      return;
    }
    this.inflight = samples.post(record, this.bootId).then((err) => {
      if (mine === this.epoch) done(err);
    });
  }

  private run(effect: DeviceEffect): void {
    const now = this.scheduler.nowMs();
    switch (effect.type) {
      case 'timer.start':
        this.laterEvent(effect.afterMs, effect.timer === 'tick' ? 'tick' : effect.timer === 'sleep' ? 'sleep.elapsed' : 'health.expired');
        return;
      case 'sensor.init': {
        const err = this.faults.sensorInitFails === true ? -Errno.EIO : mcp9808Init(this.input.sensor, now);
        this.later(now, () => this.dispatch({ type: 'sensor.init.done', atMs: this.uptime(), err }));
        return;
      }
      case 'sensor.sample': {
        const state = this.currentState;
        const r = mcp9808Sample(this.input.sensor, now, state !== null && isLiteral(state.options, 'G21'));
        this.later(now, () => this.dispatch({ type: 'sensor.sample.done', atMs: this.uptime(), err: r.err, mdeg: r.mdeg }));
        return;
      }
      case 'net.init': {
        const network = this.input.network;
        let r = network.init(now);
        if (this.faults.networkBroken === true) {
          network.reset(); // the broken stack never gets a usable connection
          r = { err: -Errno.ENETUNREACH, durationMs: r.durationMs };
        }
        const err = r.err;
        this.later(now + r.durationMs, () => this.dispatch({ type: 'net.init.done', atMs: this.uptime(), err }));
        return;
      }
      case 'http.send':
        this.send(effect.record);
        return;
      case 'net.suspend':
        this.input.network.suspend();
        return;
      case 'net.resume':
        this.input.network.resume();
        return;
      case 'log':
        this.record(effect.entry.level, effect.entry.module, effect.entry.message);
        return;
      case 'watchdog.feed':
        this.feedWatchdog();
        return;
      case 'ddi.request':
        this.ddi(effect.request);
        return;
      case 'flash.erase':
        this.requireOta().secondary.erase(effect.offset, effect.length);
        return;
      case 'flash.write':
        this.requireOta().secondary.write(effect.offset, effect.bytes);
        return;
      case 'flash.hash': {
        const sha256 = this.requireOta().secondary.sha256(effect.length);
        this.later(now, () => this.dispatch({ type: 'ota.hash.done', atMs: this.uptime(), sha256 }));
        return;
      }
      case 'settings.save':
        this.requireOta().boot.saveAction(effect.action);
        return;
      case 'boot.request_test':
        this.requireOta().boot.requestTestUpgrade();
        return;
      case 'boot.confirm':
        this.requireOta().boot.confirm();
        return;
      case 'device.reboot':
        this.reset(effect.reason);
        return;
      default:
        assertNever(effect);
    }
  }

  private requireOta(): OtaPorts {
    const ota = this.input.ota;
    if (ota === undefined) throw new RangeError('device driver: an OTA effect without OTA ports');
    return ota;
  }

  private stopAll(): void {
    this.epoch++;
    for (const id of this.timers) this.scheduler.cancel(id);
    this.timers.clear();
    if (this.watchdog !== undefined) this.scheduler.cancel(this.watchdog);
    this.watchdog = undefined;
    this.currentState = null;
  }

  private boot(reason: ResetReason): void {
    const input = this.input;
    this.bootAt = this.scheduler.nowMs();
    this.boots++;
    this.bootId = input.bootId?.() ?? this.boots;
    input.network.reset();
    const bootInfo = input.ota?.boot.bootInfo();
    const fw = input.firmware?.() ?? null;
    const faults = fw?.faults ?? NO_FAULTS;
    this.faults = faults;
    const device = input.device ?? {};
    const state = createDeviceState({
      ...device,
      options: { ...device.options, ...(fw === null ? {} : { sampleIntervalMs: fw.sampleIntervalMs }) },
      ota: { ...device.ota, ...(faults.neverConfirms === true ? { neverConfirms: true } : {}) },
      ...(bootInfo === undefined ? {} : { boot: bootInfo }),
    });
    this.currentState = state;
    this.keep({ kind: 'banner', simMs: this.bootAt, boot: this.boots, version: bootInfo?.runningVersion ?? fw?.version ?? input.version ?? 'unversioned', reason });
    if (faults.crashAfterMs !== undefined) {
      const mine = this.epoch;
      this.later(this.scheduler.nowMs() + faults.crashAfterMs, () => {
        if (mine === this.epoch) this.reset('crash');
      });
    }
    if (reason === 'watchdog') this.record('inf', state.options.logModule, 'Reset reason: watchdog');
    this.feedWatchdog();
    this.laterEvent(0, 'tick');
  }

  private reset(reason: ResetReason): void {
    this.stopAll();
    if (this.input.onReset?.(reason) === false) return;
    this.boot(reason);
  }

  start(): void {
    if (this.currentState !== null) throw new RangeError('device driver: start() while running');
    this.boot('power-on');
  }

  powerCut(): void {
    this.stopAll();
    this.inflight = undefined;
  }

  async runUntil(atMs: number): Promise<void> {
    for (;;) {
      while (this.inflight !== undefined) {
        const p = this.inflight;
        this.inflight = undefined;
        await p;
      }
      const next = this.scheduler.nextAtMs();
      if (next === undefined || next > atMs) break;
      this.scheduler.runNext();
    }
    this.scheduler.runUntil(atMs);
  }

  drainLogs(): DeviceLogRecord[] {
    return this.logs.splice(0, this.logs.length);
  }

  drainDelivered(): SampleRecord[] {
    return this.delivered.splice(0, this.delivered.length);
  }

  observe(o: StepObserver): void {
    (this.observers ??= []).push(o);
  }
}

const NO_FAULTS: FirmwareFaults = {};

function assertNever(x: never): never {
  throw new TypeError(`device driver: unhandled effect ${JSON.stringify(x)}`);
}
