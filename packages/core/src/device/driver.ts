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
  const { scheduler, sensor, network, ota } = input;
  const watchdogMs = input.watchdogMs === undefined ? 60_000 : input.watchdogMs;
  const historyLimit = input.historyLimit ?? DEFAULT_HISTORY_LIMIT;
  if (!Number.isInteger(historyLimit) || historyLimit < 0) throw new RangeError(`device driver: expected historyLimit to be a non-negative integer, got ${historyLimit}`);
  const link = input.link;
  const onLog = input.onLog;
  let state: DeviceState | null = null;
  let epoch = 0;
  let bootAt = 0;
  let bootCount = 0;
  let bootId = 0;
  let watchdog: TimerId | undefined;
  const timers = new Set<TimerId>();
  const logs: DeviceLogRecord[] = [];
  const delivered: SampleRecord[] = [];
  const observers: StepObserver[] = [];
  let inflight: Promise<void> | undefined;
  let faults: FirmwareFaults = {};

  const uptime = (): number => scheduler.nowMs() - bootAt;

  /** Schedules `fn` in the current boot only: a reset silently voids it. */
  const later = (delayMs: number, fn: () => void, atMs = scheduler.nowMs() + delayMs): void => {
    const mine = epoch;
    const id = scheduler.at(atMs, () => {
      timers.delete(id);
      if (mine === epoch) fn();
    });
    timers.add(id);
  };

  const keep = (r: DeviceLogRecord): void => {
    if (historyLimit > 0) pushBounded(logs, r, historyLimit);
    onLog?.(r);
  };

  const record = (level: LogLevel, module: string, message: string): void => {
    keep({ kind: 'log', simMs: scheduler.nowMs(), boot: bootCount, atMs: uptime(), level, module, message });
  };

  // One pending watchdog timer at a time: a feed only moves `fedAt`; when the timer comes due
  // before `fedAt + watchdogMs` it re-arms there, so the reset happens at the same instant as
  // with a timer restarted at every feed, for a fraction of the kernel events.
  let fedAt = 0;
  const armWatchdog = (atMs: number): void => {
    const mine = epoch;
    watchdog = scheduler.at(atMs, () => {
      watchdog = undefined;
      if (mine !== epoch || watchdogMs === null) return;
      const due = fedAt + watchdogMs;
      if (scheduler.nowMs() >= due) reset('watchdog');
      else armWatchdog(due);
    });
  };
  const feedWatchdog = (): void => {
    if (watchdogMs === null) return;
    fedAt = scheduler.nowMs();
    if (watchdog === undefined) armWatchdog(fedAt + watchdogMs);
  };

  const dispatch = (event: DeviceEvent): void => {
    if (state === null) return;
    const before = state;
    const [after, effects] = step(before, event);
    state = after;
    for (const o of observers) o(before, event, after, effects);
    const mine = epoch;
    for (const effect of effects) {
      if (epoch !== mine) break; // a reboot effect voided the rest of this step's RAM work
      run(effect);
    }
  };

  const ddi = (request: DdiRequest): void => {
    if (ota === undefined) throw new RangeError('device driver: a DDI request without OTA ports');
    const issuedAt = scheduler.nowMs();
    const bytes = request.kind === 'download' ? request.toByte - request.fromByte + 1 : DDI_JSON_BYTES;
    const net = network.exchange(issuedAt, bytes, 'ddi');
    const draw = (): { draw?: number } => (input.random !== undefined && request.kind === 'poll' ? { draw: input.random() } : {});
    const deliver = (result: DdiResult): void => later(0, () => dispatch({ type: 'ota.ddi.result', atMs: uptime(), result, ...draw() }), issuedAt + net.durationMs);
    if (net.err !== 0) {
      deliver({ ok: false, err: net.err });
      return;
    }
    const mine = epoch;
    if (link !== undefined) {
      link.ddi(request, (result) => {
        if (mine === epoch) dispatch({ type: 'ota.ddi.result', atMs: uptime(), result, ...draw() });
      });
      return;
    }
    inflight = ota.transport.exchange(request).then((result) => {
      if (mine === epoch) deliver(result);
    });
  };

  function run(effect: DeviceEffect): void {
    const now = scheduler.nowMs();
    switch (effect.type) {
      case 'timer.start': {
        const type = effect.timer === 'tick' ? 'tick' : effect.timer === 'sleep' ? 'sleep.elapsed' : 'health.expired';
        later(effect.afterMs, () => dispatch({ type, atMs: uptime() }));
        return;
      }
      case 'sensor.init': {
        const err = faults.sensorInitFails === true ? -Errno.EIO : mcp9808Init(sensor, now);
        later(0, () => dispatch({ type: 'sensor.init.done', atMs: uptime(), err }));
        return;
      }
      case 'sensor.sample': {
        const r = mcp9808Sample(sensor, now, state !== null && isLiteral(state.options, 'G21'));
        later(0, () => dispatch({ type: 'sensor.sample.done', atMs: uptime(), err: r.err, mdeg: r.mdeg }));
        return;
      }
      case 'net.init': {
        let r = network.init(now);
        if (faults.networkBroken === true) {
          network.reset(); // the broken stack never gets a usable connection
          r = { err: -Errno.ENETUNREACH, durationMs: r.durationMs };
        }
        later(r.durationMs, () => dispatch({ type: 'net.init.done', atMs: uptime(), err: r.err }));
        return;
      }
      case 'http.send': {
        const r = network.exchange(now, SAMPLE_PAYLOAD_BYTES, 'samples');
        const done = (err: number): void =>
          later(0, () => {
            if (err === 0 && historyLimit > 0) pushBounded(delivered, effect.record, historyLimit);
            dispatch({ type: 'http.send.done', atMs: uptime(), err });
          }, now + r.durationMs);
        const mine = epoch;
        if (r.err === 0 && link !== undefined) {
          link.sample(effect.record, bootId, (err) => {
            if (mine !== epoch) return;
            if (err === 0 && historyLimit > 0) pushBounded(delivered, effect.record, historyLimit);
            dispatch({ type: 'http.send.done', atMs: uptime(), err });
          });
          return;
        }
        if (r.err !== 0 || input.samples === undefined) {
          done(r.err);
          return;
        }
        inflight = input.samples.post(effect.record, bootId).then((err) => {
          if (mine === epoch) done(err);
        });
        return;
      }
      case 'net.suspend':
        network.suspend();
        return;
      case 'net.resume':
        network.resume();
        return;
      case 'log':
        record(effect.entry.level, effect.entry.module, effect.entry.message);
        return;
      case 'watchdog.feed':
        feedWatchdog();
        return;
      case 'ddi.request':
        ddi(effect.request);
        return;
      case 'flash.erase':
        requireOta().secondary.erase(effect.offset, effect.length);
        return;
      case 'flash.write':
        requireOta().secondary.write(effect.offset, effect.bytes);
        return;
      case 'flash.hash': {
        const sha256 = requireOta().secondary.sha256(effect.length);
        later(0, () => dispatch({ type: 'ota.hash.done', atMs: uptime(), sha256 }));
        return;
      }
      case 'settings.save':
        requireOta().boot.saveAction(effect.action);
        return;
      case 'boot.request_test':
        requireOta().boot.requestTestUpgrade();
        return;
      case 'boot.confirm':
        requireOta().boot.confirm();
        return;
      case 'device.reboot':
        reset(effect.reason);
        return;
      default:
        assertNever(effect);
    }
  }

  function requireOta(): OtaPorts {
    if (ota === undefined) throw new RangeError('device driver: an OTA effect without OTA ports');
    return ota;
  }

  function stopAll(): void {
    epoch++;
    for (const id of timers) scheduler.cancel(id);
    timers.clear();
    if (watchdog !== undefined) scheduler.cancel(watchdog);
    watchdog = undefined;
    state = null;
  }

  function boot(reason: ResetReason): void {
    bootAt = scheduler.nowMs();
    bootCount++;
    bootId = input.bootId?.() ?? bootCount;
    network.reset();
    const bootInfo = ota?.boot.bootInfo();
    const fw = input.firmware?.() ?? null;
    faults = fw?.faults ?? {};
    const device = input.device ?? {};
    state = createDeviceState({
      ...device,
      options: { ...device.options, ...(fw === null ? {} : { sampleIntervalMs: fw.sampleIntervalMs }) },
      ota: { ...device.ota, ...(faults.neverConfirms === true ? { neverConfirms: true } : {}) },
      ...(bootInfo === undefined ? {} : { boot: bootInfo }),
    });
    keep({ kind: 'banner', simMs: bootAt, boot: bootCount, version: bootInfo?.runningVersion ?? fw?.version ?? input.version ?? 'unversioned', reason });
    if (faults.crashAfterMs !== undefined) {
      const mine = epoch;
      later(faults.crashAfterMs, () => {
        if (mine === epoch) reset('crash');
      });
    }
    if (reason === 'watchdog') record('inf', state.options.logModule, 'Reset reason: watchdog');
    feedWatchdog();
    later(0, () => dispatch({ type: 'tick', atMs: uptime() }));
  }

  function reset(reason: ResetReason): void {
    stopAll();
    if (input.onReset?.(reason) === false) return;
    boot(reason);
  }

  return {
    start() {
      if (state !== null) throw new RangeError('device driver: start() while running');
      boot('power-on');
    },
    powerCut() {
      stopAll();
      inflight = undefined;
    },
    async runUntil(atMs) {
      for (;;) {
        while (inflight !== undefined) {
          const p = inflight;
          inflight = undefined;
          await p;
        }
        const next = scheduler.nextAtMs();
        if (next === undefined || next > atMs) break;
        scheduler.runNext();
      }
      scheduler.runUntil(atMs);
    },
    get state() {
      return state;
    },
    logs,
    delivered,
    drainLogs: () => logs.splice(0, logs.length),
    drainDelivered: () => delivered.splice(0, delivered.length),
    get bootCount() {
      return bootCount;
    },
    observe(o) {
      observers.push(o);
    },
  };
}

function assertNever(x: never): never {
  throw new TypeError(`device driver: unhandled effect ${JSON.stringify(x)}`);
}
