/**
 * @module device/step
 * The device firmware as a pure reducer (STYLE.md §4.9): `step(state, event) → [state, effects]`.
 * It models `app_run()` of device.md §5–§7: one main-loop iteration per `tick`, subsystem calls
 * as effects whose results come back as events, WAIT's sleep as timer effects, one log line per
 * state change, one ERR line per failure (in ERROR), the ring buffer of §13, the power policy of
 * §11 and the Step 10 watchdog feed on progress. Every state change is looked up in
 * TRANSITIONS. The OTA task (ota/ota-step.ts) is composed in: it is offered the loop in IDLE
 * and WAIT only and hands it back with `ota.yield`.
 */
import { backoffDelayMs, findTransition, type AppStateName, type TransitionCondition } from './app-state.js';
import type { LogEntry, LogLevel } from './log.js';
import { isLiteral, resolveDeviceOptions, type DeviceOptions } from './options.js';
import { createOtaState, otaStep, otaWantsSlot, type BootInfo, type OtaEffect, type OtaEvent, type OtaHost, type OtaOptions, type OtaState } from './ota/ota-step.js';
import { createSampleBuffer, isEmpty, peekOldest, popOldest, pushSample, type SampleBuffer, type SampleRecord } from './sample-buffer.js';

/** `struct app_ctx` after Step 8 (+ Step 10's progress flag); device.md §4.2. `ota` lives in DeviceState.ota (G27). */
export interface AppCtx {
  readonly state: AppStateName;
  readonly recovery_state: AppStateName;
  readonly retry_count: number;
  readonly retry_delay_ms: number;
  readonly last_error: number;
  readonly low_power_allowed: boolean;
  readonly samples: SampleBuffer;
  readonly last_temp_mdeg: number | null;
}

/** What the reducer is waiting for; each variant carries only its own data. */
export type Pending =
  | { readonly tag: 'tick' }
  | { readonly tag: 'call'; readonly call: 'sensor.init' | 'sensor.sample' | 'net.init' | 'http.send' }
  | { readonly tag: 'sleep'; readonly remainingMs: number; readonly sliceMs: number; readonly lowPower: boolean }
  | { readonly tag: 'ota'; readonly host: OtaHost; readonly sinceMs: number }
  | { readonly tag: 'rebooting' };

export interface DeviceState {
  readonly options: DeviceOptions;
  readonly app: AppCtx;
  readonly pending: Pending;
  /** The OTA task's state, or null in a build without OTA (the device "after Step 8"). */
  readonly ota: OtaState | null;
}

/** Every event carries the uptime at which it happens: the reducer never reads a clock. */
export type DeviceEvent =
  | { readonly type: 'tick'; readonly atMs: number }
  | { readonly type: 'sensor.init.done'; readonly atMs: number; readonly err: number }
  | { readonly type: 'sensor.sample.done'; readonly atMs: number; readonly err: number; readonly mdeg: number }
  | { readonly type: 'net.init.done'; readonly atMs: number; readonly err: number }
  | { readonly type: 'http.send.done'; readonly atMs: number; readonly err: number }
  | { readonly type: 'sleep.elapsed'; readonly atMs: number }
  | Extract<OtaEvent, { type: 'ota.ddi.result' | 'ota.hash.done' | 'health.expired' }>;

export type DeviceEffect =
  | { readonly type: 'timer.start'; readonly timer: 'tick' | 'sleep'; readonly afterMs: number }
  | { readonly type: 'sensor.init' }
  | { readonly type: 'sensor.sample' }
  | { readonly type: 'net.init' }
  | { readonly type: 'http.send'; readonly record: SampleRecord }
  | { readonly type: 'net.suspend' }
  | { readonly type: 'net.resume' }
  | Exclude<OtaEffect, { type: 'ota.yield' }>;

export type Step = readonly [DeviceState, readonly DeviceEffect[]];

export interface CreateDeviceStateInput {
  readonly options?: Partial<DeviceOptions>;
  /** Present in a build with the OTA task: what the boot twin says about the running image. */
  readonly boot?: BootInfo;
  readonly ota?: Partial<OtaOptions>;
}

/** The state right after reset: BOOT, zero-initialised context (literal G4) or the G4 proposal. */
export function createDeviceState(input: CreateDeviceStateInput = {}): DeviceState {
  const options = resolveDeviceOptions(input.options);
  const literalG4 = isLiteral(options, 'G4');
  return {
    options,
    app: {
      state: 'BOOT',
      recovery_state: literalG4 ? 'BOOT' : 'IDLE',
      retry_count: 0,
      retry_delay_ms: literalG4 ? 0 : options.sampleIntervalMs,
      last_error: 0,
      low_power_allowed: false,
      samples: createSampleBuffer(),
      last_temp_mdeg: null,
    },
    pending: { tag: 'tick' },
    ota: input.boot === undefined ? null : createOtaState(input.boot, input.ota),
  };
}

const log = (s: DeviceState, level: LogLevel, message: string): DeviceEffect => ({
  type: 'log',
  entry: { level, module: s.options.logModule, message } satisfies LogEntry,
});

/** G15: low power is allowed in WAIT and IDLE, never while an OTA download is in progress. */
function lowPowerAllowed(state: AppStateName, ota: OtaState | null): boolean {
  return (state === 'WAIT' || state === 'IDLE') && !(ota?.ctx.download_in_progress ?? false);
}

/** Ends one main-loop iteration: feed the watchdog if progress was made, sleep one tick. */
function endIteration(s: DeviceState, effects: DeviceEffect[], progress: boolean): Step {
  const feed: DeviceEffect[] = progress ? [{ type: 'watchdog.feed' }] : [];
  return [{ ...s, pending: { tag: 'tick' } }, [...effects, ...feed, { type: 'timer.start', timer: 'tick', afterMs: s.options.tickMs }]];
}

/** Takes the table row for (current state, condition), logs the change, ends the iteration. */
function transition(s: DeviceState, on: TransitionCondition, app: AppCtx, effects: DeviceEffect[]): Step {
  const row = findTransition(s.app.state, on);
  const to = row.to === 'recovery_state' ? app.recovery_state : row.to;
  const changed = to !== s.app.state;
  const next: DeviceState = { ...s, app: { ...app, state: to, low_power_allowed: lowPowerAllowed(to, s.ota) } };
  const line = changed ? [log(s, 'inf', `State: ${s.app.state} -> ${to}`)] : [];
  // Step 10 progress: a state change, or a successful SEND (T10 stays in SEND).
  return endIteration(next, [...effects, ...line], changed || on === 'SEND_OK');
}

function startSleep(s: DeviceState, durationMs: number, effects: DeviceEffect[]): Step {
  // G16 judges the delay ERROR/SEND chose, not what is left of it after OTA work in this WAIT.
  const lowPower = lowPowerAllowed('WAIT', s.ota) && s.app.retry_delay_ms >= s.options.lowPowerThresholdMs && durationMs > 0;
  const enter: DeviceEffect[] = lowPower
    ? [{ type: 'net.suspend' }, log(s, 'inf', `Entering low-power WAIT for ${Math.ceil(durationMs / 1000)}s`)]
    : [];
  const sliceMs = Math.min(durationMs, s.options.waitSliceMs);
  return [
    { ...s, app: { ...s.app, low_power_allowed: lowPowerAllowed('WAIT', s.ota) }, pending: { tag: 'sleep', remainingMs: durationMs, sliceMs, lowPower } },
    [...effects, ...enter, { type: 'timer.start', timer: 'sleep', afterMs: sliceMs }],
  ];
}

/** Runs the OTA reducer and takes the loop back when it yields. */
function withOta(s: DeviceState, event: OtaEvent): Step {
  if (s.ota === null) return [s, []];
  const [ota, otaEffects] = otaStep(s.ota, event);
  const next: DeviceState = { ...s, ota };
  const effects = otaEffects.filter((e): e is Exclude<OtaEffect, { type: 'ota.yield' }> => e.type !== 'ota.yield');
  if (effects.some((e) => e.type === 'device.reboot')) return [{ ...next, pending: { tag: 'rebooting' } }, effects];
  if (!otaEffects.some((e) => e.type === 'ota.yield') || next.pending.tag !== 'ota') return [next, effects];
  const { host, sinceMs } = next.pending;
  if (host === 'IDLE') return transition(next, 'TICK', next.app, effects);
  // §15.6: what the OTA work took is taken from the WAIT; the rest is slept as usual.
  return startSleep(next, Math.max(0, next.app.retry_delay_ms - (event.atMs - sinceMs)), effects);
}

function grantOta(s: DeviceState, host: OtaHost, atMs: number): Step | undefined {
  if (s.ota === null || !otaWantsSlot(s.ota, host, isEmpty(s.app.samples), atMs)) return undefined;
  return withOta({ ...s, pending: { tag: 'ota', host, sinceMs: atMs } }, { type: 'ota.slot', atMs, host, bufferEmpty: isEmpty(s.app.samples) });
}

function onTick(s: DeviceState, atMs: number): Step {
  const app = s.app;
  switch (app.state) {
    case 'BOOT': {
      // T1. Step 9/9.1: this is also where the `boot` confirm policy confirms a test image.
      const [booted, effects] = withOta(s, { type: 'app.booted', atMs });
      return transition(booted, 'TICK', { ...app, retry_count: 0 }, [...effects]);
    }
    case 'SENSOR_INIT':
      return [{ ...s, pending: { tag: 'call', call: 'sensor.init' } }, [{ type: 'sensor.init' }]];
    case 'NET_INIT':
      return [{ ...s, pending: { tag: 'call', call: 'net.init' } }, [{ type: 'net.init' }]];
    case 'IDLE':
      return grantOta(s, 'IDLE', atMs) ?? transition(s, 'TICK', app, []); // T6
    case 'SAMPLE':
      return [{ ...s, pending: { tag: 'call', call: 'sensor.sample' } }, [{ type: 'sensor.sample' }]];
    case 'SEND': {
      const head = peekOldest(app.samples);
      if (head === undefined) {
        // T9. G2 proposal: the success path sets the interval and where to resume.
        const next = isLiteral(s.options, 'G2') ? app : { ...app, retry_delay_ms: s.options.sampleIntervalMs, recovery_state: 'IDLE' as const };
        return transition(s, 'BUFFER_EMPTY', next, []);
      }
      return [{ ...s, pending: { tag: 'call', call: 'http.send' } }, [{ type: 'http.send', record: head }]];
    }
    case 'WAIT':
      return grantOta(s, 'WAIT', atMs) ?? startSleep(s, app.retry_delay_ms, []);
    case 'ERROR': {
      // T12: delay from the count before the increment; the single error line of Step 5/6.
      const delay = backoffDelayMs(app.retry_count);
      const line = log(s, 'err', `Error ${app.last_error}, retry ${app.retry_count}, wait ${delay} ms, recover to ${app.recovery_state}`);
      return transition(s, 'TICK', { ...app, retry_delay_ms: delay, retry_count: app.retry_count + 1 }, [line]);
    }
    default:
      return assertNever(app.state);
  }
}

function expectCall(s: DeviceState, call: Extract<Pending, { tag: 'call' }>['call']): boolean {
  return s.pending.tag === 'call' && s.pending.call === call;
}

/** The reducer. Pure; unexpected events (e.g. a late timer after a reboot) change nothing. */
export function step(s: DeviceState, e: DeviceEvent): Step {
  const app = s.app;
  switch (e.type) {
    case 'tick':
      return s.pending.tag === 'tick' ? onTick(s, e.atMs) : ignore(s);
    case 'sensor.init.done':
      if (!expectCall(s, 'sensor.init')) return ignore(s);
      if (e.err === 0) return transition(s, 'SENSOR_INIT_OK', app, []); // T2
      // T3; G3 proposal: recover at SENSOR_INIT.
      return transition(s, 'SENSOR_INIT_FAIL', { ...app, last_error: e.err, recovery_state: isLiteral(s.options, 'G3') ? app.recovery_state : 'SENSOR_INIT' }, []);
    case 'net.init.done': {
      if (!expectCall(s, 'net.init')) return ignore(s);
      if (e.err === 0) return transition(s, 'NET_INIT_OK', app, []); // T4
      // T5. G24 proposal ("decoupled"): recover at IDLE so sampling goes on; else G3.
      const recovery: AppStateName = !isLiteral(s.options, 'G24') ? 'IDLE' : isLiteral(s.options, 'G3') ? app.recovery_state : 'NET_INIT';
      return transition(s, 'NET_INIT_FAIL', { ...app, last_error: e.err, recovery_state: recovery }, []);
    }
    case 'sensor.sample.done': {
      if (!expectCall(s, 'sensor.sample')) return ignore(s);
      if (e.err !== 0) return transition(s, 'SAMPLE_FAIL', { ...app, last_error: e.err, recovery_state: 'SENSOR_INIT' }, []); // T8
      // T7: drop-oldest inside push, one WRN line per dropped record (G23).
      const { buffer, dropped } = pushSample(app.samples, { temp_mdeg: e.mdeg, timestamp_ms: e.atMs });
      const warn = dropped === undefined ? [] : [log(s, 'wrn', 'Sample buffer full, dropping oldest')];
      return transition(s, 'SAMPLE_OK', { ...app, samples: buffer, last_temp_mdeg: e.mdeg }, warn);
    }
    case 'http.send.done': {
      if (!expectCall(s, 'http.send')) return ignore(s);
      if (e.err !== 0) return transition(s, 'SEND_FAIL', { ...app, last_error: e.err, recovery_state: 'NET_INIT' }, []); // T11, head kept
      const sent = peekOldest(app.samples);
      const line = s.options.logSends && sent !== undefined ? [log(s, 'inf', `Temperature ${sent.temp_mdeg} mdeg sent successfully`)] : [];
      const [delivered, otaEffects] = withOta(s, { type: 'app.delivered', atMs: e.atMs }); // health confirm
      return transition(delivered, 'SEND_OK', { ...app, samples: popOldest(app.samples), retry_count: 0 }, [...line, ...otaEffects]); // T10
    }
    case 'sleep.elapsed': {
      if (s.pending.tag !== 'sleep') return ignore(s);
      const remainingMs = s.pending.remainingMs - s.pending.sliceMs;
      if (remainingMs > 0) {
        // G26: a completed slice is progress; the next slice keeps the watchdog satisfied.
        const sliceMs = Math.min(remainingMs, s.options.waitSliceMs);
        return [{ ...s, pending: { ...s.pending, remainingMs, sliceMs } }, [{ type: 'watchdog.feed' }, { type: 'timer.start', timer: 'sleep', afterMs: sliceMs }]];
      }
      const exit: DeviceEffect[] = s.pending.lowPower ? [{ type: 'net.resume' }, log(s, 'inf', 'Exiting low-power WAIT')] : [];
      return transition(s, 'WAIT_ELAPSED', app, exit); // T13
    }
    case 'ota.ddi.result':
    case 'ota.hash.done':
    case 'health.expired':
      return withOta(s, e);
    default:
      return assertNever(e);
  }
}

function ignore(s: DeviceState): Step {
  return [s, []];
}

function assertNever(x: never): never {
  throw new TypeError(`device step: unhandled ${JSON.stringify(x)}`);
}
