/**
 * @module device/ota/ota-step
 * The OTA task of device.md §15 as a pure reducer: `otaStep(state, event) → [state, effects]`.
 * It never runs on its own: the application grants it a slot from IDLE or WAIT
 * (`ota.slot`), it performs DDI exchanges, secondary-slot flash writes and boot requests as
 * effects, and hands the loop back with `ota.yield`. Policy (§15.6, G27–G33): check when
 * due and the sample buffer is empty; download only in WAIT, `chunksPerWait` Range chunks per
 * visit, resuming from `bytes_written` within a boot; verify size and SHA-256; request a
 * test upgrade and reboot only with an empty buffer; confirm by policy (`boot` = the series'
 * literal "on successful boot", `health` = after the first delivered sample, the default);
 * failures log one ERR line and back off with the §10 table on a separate counter; exactly
 * five milestone lines, never one per chunk.
 */
import { backoffDelayMs } from '../app-state.js';
import { Errno } from '../errno.js';
import type { LogEntry } from '../log.js';
import type { ConfirmPolicy } from '../options.js';
import type { DdiRequest, DdiRequestKind, DdiResult, DeploymentInfo } from './ddi.js';

/** `app_ctx.ota`: the series' three fields plus the §15.6 additions (G27) and a backoff gate. */
export interface OtaCtx {
  readonly update_available: boolean;
  readonly download_in_progress: boolean;
  readonly bytes_written: number;
  readonly image_size: number;
  readonly image_version: string | null;
  readonly image_sha256: string | null;
  readonly ota_retry_count: number;
  readonly next_check_at_ms: number;
  /** No OTA exchange before this uptime (set by a failure's backoff). */
  readonly backoff_until_ms: number;
}

/** The update the device asked MCUboot to test, kept in flash (settings) across the reboot. */
export interface SavedAction {
  readonly actionId: string;
  readonly version: string;
}

/** What the running firmware learns at start: its own version, whether MCUboot has it confirmed, the saved action. */
export interface BootInfo {
  readonly runningVersion: string;
  readonly confirmed: boolean;
  readonly savedAction: SavedAction | null;
}

export interface OtaOptions {
  readonly confirmPolicy: ConfirmPolicy;
  /** G29: Range chunk size. */
  readonly chunkBytes: number;
  /** G29: chunks fetched per WAIT visit. */
  readonly chunksPerWait: number;
  /** G28: check interval when the server names none. */
  readonly checkIntervalMs: number;
  /** Usable size of the secondary slot (image must fit, trailer excluded). */
  readonly slotSizeBytes: number;
  /** Erase granularity of the secondary slot. */
  readonly eraseSizeBytes: number;
  /**
   * `health` policy: a test image not confirmed this long after boot resets itself so MCUboot
   * reverts it (issue 5 (c)). Buffered samples of an image that never delivered are lost with it.
   */
  readonly healthTimeoutMs: number;
  /**
   * `health` policy: a delivery confirms only once the image has run this long (0: the first
   * delivery confirms). A build that crashes sooner never confirms, so MCUboot reverts it.
   */
  readonly confirmAfterUptimeMs: number;
  /** G29: a failed chunk is fetched again from `bytes_written` (true) or the download restarts at 0. */
  readonly resumeDownloads: boolean;
  /**
   * G7's jitter switch for fleet simulations: the next check is `interval × (1 ± checkJitter)`,
   * drawn from the `draw` a poll answer's event carries (0: no jitter, the faithful default).
   */
  readonly checkJitter: number;
  /** Fault switch of a test build (firmware.ts): this firmware never confirms itself. */
  readonly neverConfirms: boolean;
  readonly logModule: string;
}

export const DEFAULT_OTA_OPTIONS: OtaOptions = {
  confirmPolicy: 'health',
  chunkBytes: 4096,
  chunksPerWait: 16,
  checkIntervalMs: 3_600_000,
  slotSizeBytes: 0x70000,
  eraseSizeBytes: 4096,
  healthTimeoutMs: 600_000,
  confirmAfterUptimeMs: 0,
  resumeDownloads: true,
  checkJitter: 0,
  neverConfirms: false,
  logModule: 'ota',
};

export type OtaHost = 'IDLE' | 'WAIT';

/** Whether the task holds the loop, and which answer it awaits. */
export type OtaPhase =
  | { readonly tag: 'parked' }
  | {
      readonly tag: 'busy';
      readonly host: OtaHost;
      readonly bufferEmpty: boolean;
      readonly awaiting: DdiRequestKind | 'hash';
      readonly chunksLeft: number;
    };

export interface OtaState {
  readonly ctx: OtaCtx;
  readonly options: OtaOptions;
  readonly runningVersion: string;
  readonly confirmed: boolean;
  readonly saved: SavedAction | null;
  readonly deployment: DeploymentInfo | null;
  readonly verified: boolean;
  /** Bytes of the secondary slot erased in this download (a multiple of eraseSizeBytes). */
  readonly erasedBytes: number;
  /** Reports still to send (feedback, configData), oldest first. */
  readonly outbox: readonly DdiRequest[];
  readonly phase: OtaPhase;
}

export type OtaEvent =
  | { readonly type: 'ota.slot'; readonly atMs: number; readonly host: OtaHost; readonly bufferEmpty: boolean }
  /** `draw`: a uniform number in [0, 1) from the host's random port, for `checkJitter`. */
  | { readonly type: 'ota.ddi.result'; readonly atMs: number; readonly result: DdiResult; readonly draw?: number }
  | { readonly type: 'ota.hash.done'; readonly atMs: number; readonly sha256: string }
  | { readonly type: 'app.booted'; readonly atMs: number }
  | { readonly type: 'app.delivered'; readonly atMs: number }
  | { readonly type: 'health.expired'; readonly atMs: number };

export type OtaEffect =
  | { readonly type: 'ddi.request'; readonly request: DdiRequest }
  | { readonly type: 'flash.erase'; readonly offset: number; readonly length: number }
  | { readonly type: 'flash.write'; readonly offset: number; readonly bytes: Uint8Array }
  | { readonly type: 'flash.hash'; readonly length: number }
  | { readonly type: 'settings.save'; readonly action: SavedAction | null }
  | { readonly type: 'boot.request_test' }
  | { readonly type: 'boot.confirm' }
  | { readonly type: 'timer.start'; readonly timer: 'health'; readonly afterMs: number }
  /** `ota`: the requested test upgrade; `health`: an unconfirmed image giving up (rollback). */
  | { readonly type: 'device.reboot'; readonly reason: 'ota' | 'health' }
  | { readonly type: 'log'; readonly entry: LogEntry }
  | { readonly type: 'watchdog.feed' }
  | { readonly type: 'ota.yield' };

export type OtaStep = readonly [OtaState, readonly OtaEffect[]];

/** The fresh OTA context after a reset (§15.6 "Resume": RAM is lost, a download restarts at 0). */
export function createOtaState(boot: BootInfo, overrides: Partial<OtaOptions> = {}): OtaState {
  const options = { ...DEFAULT_OTA_OPTIONS, ...overrides };
  for (const k of ['chunkBytes', 'chunksPerWait', 'checkIntervalMs', 'slotSizeBytes', 'eraseSizeBytes', 'healthTimeoutMs'] as const) {
    if (!Number.isInteger(options[k]) || options[k] <= 0) throw new RangeError(`ota options: expected ${k} to be a positive integer, got ${options[k]}`);
  }
  if (!(options.checkJitter >= 0 && options.checkJitter < 1)) throw new RangeError(`ota options: expected checkJitter in [0, 1), got ${options.checkJitter}`);
  if (!Number.isInteger(options.confirmAfterUptimeMs) || options.confirmAfterUptimeMs < 0) {
    throw new RangeError(`ota options: expected confirmAfterUptimeMs to be a non-negative integer, got ${options.confirmAfterUptimeMs}`);
  }
  return {
    ctx: {
      update_available: false,
      download_in_progress: false,
      bytes_written: 0,
      image_size: 0,
      image_version: null,
      image_sha256: null,
      ota_retry_count: 0,
      next_check_at_ms: 0,
      backoff_until_ms: 0,
    },
    options,
    runningVersion: boot.runningVersion,
    confirmed: boot.confirmed,
    saved: boot.savedAction,
    deployment: null,
    verified: false,
    erasedBytes: 0,
    outbox: [],
    phase: { tag: 'parked' },
  };
}

type NextAction = 'report' | 'poll' | 'download' | 'request' | 'none';

function nextAction(s: OtaState, host: OtaHost, bufferEmpty: boolean, atMs: number, chunksLeft: number): NextAction {
  if (s.outbox.length > 0 && atMs >= s.ctx.backoff_until_ms) return 'report';
  // A test image that is not confirmed yet does not start another update (Zephyr refuses too).
  if (!s.confirmed || atMs < s.ctx.backoff_until_ms) return 'none';
  // Polls go on during a download too, so a cancelled or replaced action is noticed.
  if (bufferEmpty && atMs >= s.ctx.next_check_at_ms) return 'poll';
  if (s.verified) return bufferEmpty ? 'request' : 'none'; // G33: never lose RAM samples to the reboot
  if (s.ctx.update_available) return host === 'WAIT' && chunksLeft > 0 ? 'download' : 'none';
  return 'none';
}

/** True when granting a slot now would make the task do something (the app asks before granting). */
export function otaWantsSlot(s: OtaState, host: OtaHost, bufferEmpty: boolean, atMs: number): boolean {
  return s.phase.tag === 'parked' && nextAction(s, host, bufferEmpty, atMs, s.options.chunksPerWait) !== 'none';
}

const milestone = (s: OtaState, message: string): OtaEffect => ({ type: 'log', entry: { level: 'inf', module: s.options.logModule, message } });

function busy(s: OtaState, awaiting: DdiRequestKind | 'hash', chunksLeft?: number): OtaState {
  if (s.phase.tag !== 'busy') throw new RangeError('ota: busy() outside a slot');
  return { ...s, phase: { ...s.phase, awaiting, chunksLeft: chunksLeft ?? s.phase.chunksLeft } };
}

/** Picks the next exchange of the current slot, or yields the loop back to the application. */
function proceed(s: OtaState, atMs: number, effects: OtaEffect[]): OtaStep {
  if (s.phase.tag !== 'busy') return [s, effects];
  const { host, bufferEmpty, chunksLeft } = s.phase;
  switch (nextAction(s, host, bufferEmpty, atMs, chunksLeft)) {
    case 'report':
      return [busy(s, s.outbox[0]!.kind), [...effects, { type: 'ddi.request', request: s.outbox[0]! }]];
    case 'poll':
      return [busy(s, 'poll'), [...effects, { type: 'ddi.request', request: { kind: 'poll' } }]];
    case 'download': {
      const dep = s.deployment!;
      const from = s.ctx.bytes_written;
      const to = Math.min(from + s.options.chunkBytes, dep.sizeBytes) - 1;
      const started = from === 0 ? [milestone(s, 'Download started')] : [];
      const next: OtaState = { ...s, ctx: { ...s.ctx, download_in_progress: true } };
      return [busy(next, 'download'), [...effects, ...started, { type: 'ddi.request', request: { kind: 'download', href: dep.downloadHref, fromByte: from, toByte: to } }]];
    }
    case 'request': {
      const dep = s.deployment!;
      const saved: SavedAction = { actionId: dep.actionId, version: dep.version };
      return [
        { ...s, saved, phase: { tag: 'parked' } },
        [
          ...effects,
          // Request first: a cut between the two leaves "swapped, nothing saved", which the new
          // image reports as success when the server offers its own version again; the other
          // order would leave "saved, never swapped", indistinguishable from a rollback.
          { type: 'boot.request_test' },
          { type: 'settings.save', action: saved },
          milestone(s, `Upgrade requested: test swap to ${dep.version}, rebooting`),
          { type: 'device.reboot', reason: 'ota' },
        ],
      ];
    }
    case 'none':
      return [{ ...s, phase: { tag: 'parked' } }, [...effects, { type: 'ota.yield' }]];
  }
}

/** One failure: one ERR line, separate retry counter, §10 backoff; the slot is given back. */
function fail(s: OtaState, atMs: number, err: number, effects: OtaEffect[]): OtaStep {
  const delay = backoffDelayMs(s.ctx.ota_retry_count);
  const ctx: OtaCtx = {
    ...s.ctx,
    ota_retry_count: s.ctx.ota_retry_count + 1,
    backoff_until_ms: atMs + delay,
    next_check_at_ms: Math.max(s.ctx.next_check_at_ms, atMs + delay),
  };
  const log: OtaEffect = {
    type: 'log',
    entry: { level: 'err', module: s.options.logModule, message: `OTA error ${err}, retry ${s.ctx.ota_retry_count}, wait ${delay} ms` },
  };
  // The failure path is a decision, like the app's change to ERROR: it feeds the watchdog, so a
  // 30 s HTTP timeout followed by a 30 s WAIT slice cannot starve it (found by the fleet run).
  return [{ ...s, ctx, phase: { tag: 'parked' } }, [...effects, log, { type: 'watchdog.feed' }, { type: 'ota.yield' }]];
}

function reportRunning(s: OtaState): DdiRequest {
  return { kind: 'configData', data: { fw_version: s.runningVersion } };
}

function confirm(s: OtaState): OtaStep {
  const outbox: DdiRequest[] = [...s.outbox];
  if (s.saved !== null) {
    outbox.push({ kind: 'feedback', actionId: s.saved.actionId, execution: 'closed', finished: 'success', details: [`running ${s.runningVersion}`] });
  }
  outbox.push(reportRunning(s));
  return [{ ...s, confirmed: true, outbox }, [{ type: 'boot.confirm' }, milestone(s, `Image confirmed: version ${s.runningVersion}`)]];
}

/** Drops the update in progress (cancelled, withdrawn or replaced); the next one starts from 0. */
function abandon(s: OtaState): OtaState {
  return {
    ...s,
    ctx: { ...s.ctx, update_available: false, download_in_progress: false, bytes_written: 0, image_size: 0, image_version: null, image_sha256: null },
    deployment: null,
    verified: false,
    erasedBytes: 0,
  };
}

function onDeployment(s: OtaState, atMs: number, dep: DeploymentInfo): OtaStep {
  if (s.deployment !== null && s.deployment.actionId === dep.actionId && s.deployment.sha256 === dep.sha256) {
    return proceed(s, atMs, []); // the update we are already fetching: keep the progress
  }
  if (dep.version === s.runningVersion) {
    // Already running it (e.g. the report was lost to a power cut): say so again.
    const outbox = [...s.outbox, { kind: 'feedback', actionId: dep.actionId, execution: 'closed', finished: 'success', details: [`running ${s.runningVersion}`] } as const, reportRunning(s)];
    return proceed({ ...s, outbox }, atMs, []);
  }
  if (dep.sizeBytes <= 0 || dep.sizeBytes > s.options.slotSizeBytes) return fail(s, atMs, -Errno.ENOSPC, []);
  if (!/^[0-9a-f]{64}$/.test(dep.sha256)) return fail(s, atMs, -Errno.EBADMSG, []);
  const ctx: OtaCtx = {
    ...s.ctx,
    update_available: true,
    download_in_progress: false,
    bytes_written: 0,
    image_size: dep.sizeBytes,
    image_version: dep.version,
    image_sha256: dep.sha256,
  };
  const next: OtaState = { ...s, ctx, deployment: dep, verified: false, erasedBytes: 0 };
  return proceed(next, atMs, [milestone(s, `Update available: version ${dep.version}, ${dep.sizeBytes} bytes`)]);
}

function onChunk(s: OtaState, atMs: number, bytes: Uint8Array): OtaStep {
  const dep = s.deployment!;
  const offset = s.ctx.bytes_written;
  const expected = Math.min(s.options.chunkBytes, dep.sizeBytes - offset);
  if (bytes.length !== expected) return fail(s, atMs, -Errno.EBADMSG, []);
  const effects: OtaEffect[] = [];
  const end = offset + bytes.length;
  let erased = s.erasedBytes;
  if (end > erased) {
    // Progressive erase: erase whole sectors just ahead of the write (NOR: erase before program).
    const upTo = Math.ceil(end / s.options.eraseSizeBytes) * s.options.eraseSizeBytes;
    effects.push({ type: 'flash.erase', offset: erased, length: upTo - erased });
    erased = upTo;
  }
  effects.push({ type: 'flash.write', offset, bytes }, { type: 'watchdog.feed' });
  const ctx: OtaCtx = { ...s.ctx, bytes_written: end, ota_retry_count: 0 };
  const phase = s.phase.tag === 'busy' ? { ...s.phase, chunksLeft: s.phase.chunksLeft - 1 } : s.phase;
  const next: OtaState = { ...s, ctx, erasedBytes: erased, phase };
  if (end === dep.sizeBytes) {
    return [busy(next, 'hash'), [...effects, milestone(s, `Download completed: ${end} bytes`), { type: 'flash.hash', length: end }]];
  }
  return proceed(next, atMs, effects);
}

function onResult(s: OtaState, atMs: number, result: DdiResult, draw: number): OtaStep {
  if (s.phase.tag !== 'busy') return [s, []];
  const awaiting = s.phase.awaiting;
  if (!result.ok) {
    const restart = awaiting === 'download' && !s.options.resumeDownloads;
    return fail(restart ? { ...s, ctx: { ...s.ctx, bytes_written: 0, download_in_progress: false }, erasedBytes: 0 } : s, atMs, result.err, []);
  }
  const a = result.answer;
  if (a.kind !== awaiting && !(a.kind === 'ack' && (awaiting === 'feedback' || awaiting === 'configData' || awaiting === 'cancelFeedback'))) {
    return fail(s, atMs, -Errno.EBADMSG, []);
  }
  const ok: OtaState = { ...s, ctx: { ...s.ctx, ota_retry_count: 0 } };
  switch (a.kind) {
    case 'ack': {
      const sent = s.outbox[0];
      const outbox = s.outbox.slice(1);
      const clear: OtaEffect[] = sent?.kind === 'feedback' && s.saved !== null && sent.actionId === s.saved.actionId ? [{ type: 'settings.save', action: null }] : [];
      const saved = clear.length > 0 ? null : s.saved;
      return proceed({ ...ok, outbox, saved }, atMs, [...clear, { type: 'watchdog.feed' }]);
    }
    case 'poll': {
      const interval = a.sleepMs > 0 ? a.sleepMs : s.options.checkIntervalMs;
      const j = s.options.checkJitter;
      const ctx = { ...ok.ctx, next_check_at_ms: atMs + (j > 0 ? Math.round(interval * (1 - j + 2 * j * draw)) : interval) };
      const outbox = a.configData === true ? [...s.outbox, reportRunning(s)] : s.outbox;
      const next: OtaState = { ...ok, ctx, outbox };
      if (a.cancelAction !== undefined) {
        // Zephyr's answer (B.1.3 C): refuse only an action already handed to MCUboot.
        const id = /\/cancelAction\/(\d+)/.exec(a.cancelAction)?.[1];
        const installed = id !== undefined && s.saved?.actionId === id;
        const stopped = !installed && s.deployment !== null && s.deployment.actionId === id ? abandon(next) : next;
        const answer: DdiRequest = { kind: 'cancelFeedback', href: a.cancelAction, finished: installed ? 'failure' : 'success' };
        return proceed({ ...stopped, outbox: [...stopped.outbox, answer] }, atMs, [{ type: 'watchdog.feed' }]);
      }
      if (a.deploymentBase !== undefined) {
        return [busy(next, 'deploymentBase'), [{ type: 'watchdog.feed' }, { type: 'ddi.request', request: { kind: 'deploymentBase', href: a.deploymentBase } }]];
      }
      // No action offered any more: an update not yet handed to MCUboot is dropped.
      return proceed(next.deployment !== null ? abandon(next) : next, atMs, [{ type: 'watchdog.feed' }]);
    }
    case 'deploymentBase':
      return onDeployment(ok, atMs, a.deployment);
    case 'download':
      return onChunk(ok, atMs, a.bytes);
  }
}

/** The OTA reducer. Pure: time arrives in events, work leaves as effects. */
export function otaStep(s: OtaState, e: OtaEvent): OtaStep {
  switch (e.type) {
    case 'ota.slot':
      if (s.phase.tag === 'busy') return [s, []];
      return proceed({ ...s, phase: { tag: 'busy', host: e.host, bufferEmpty: e.bufferEmpty, awaiting: 'poll', chunksLeft: s.options.chunksPerWait } }, e.atMs, []);
    case 'ota.ddi.result':
      return onResult(s, e.atMs, e.result, e.draw ?? 0.5);
    case 'ota.hash.done': {
      if (s.phase.tag !== 'busy' || s.phase.awaiting !== 'hash') return [s, []];
      const ctx = { ...s.ctx, download_in_progress: false };
      if (e.sha256 !== s.ctx.image_sha256) {
        // G30: discard and take the failure path; the next attempt downloads from 0.
        return fail({ ...s, ctx: { ...ctx, bytes_written: 0 }, erasedBytes: 0, verified: false }, e.atMs, -Errno.EILSEQ, []);
      }
      return proceed({ ...s, ctx, verified: true }, e.atMs, []);
    }
    case 'app.booted':
      if (!s.confirmed) {
        if (s.options.confirmPolicy === 'boot' && !s.options.neverConfirms) return confirm(s);
        return [s, [{ type: 'timer.start', timer: 'health', afterMs: s.options.healthTimeoutMs }]];
      }
      if (s.saved !== null && s.saved.version !== s.runningVersion) {
        // Confirmed image but not the one we asked for: MCUboot reverted (rollback). Report it.
        const outbox = [...s.outbox, { kind: 'feedback', actionId: s.saved.actionId, execution: 'closed', finished: 'failure', details: [`rolled back to ${s.runningVersion}`] } as const, reportRunning(s)];
        return [{ ...s, outbox }, []];
      }
      if (s.saved !== null) {
        const outbox = [...s.outbox, { kind: 'feedback', actionId: s.saved.actionId, execution: 'closed', finished: 'success', details: [`running ${s.runningVersion}`] } as const, reportRunning(s)];
        return [{ ...s, outbox }, []];
      }
      return [s, []];
    case 'app.delivered':
      return !s.confirmed && s.options.confirmPolicy === 'health' && !s.options.neverConfirms && e.atMs >= s.options.confirmAfterUptimeMs ? confirm(s) : [s, []];
    case 'health.expired':
      if (s.confirmed) return [s, []];
      return [
        s,
        [
          { type: 'log', entry: { level: 'err', module: s.options.logModule, message: `Image ${s.runningVersion} not healthy after ${s.options.healthTimeoutMs} ms, rebooting` } },
          { type: 'device.reboot', reason: 'health' },
        ],
      ];
    default:
      return assertNever(e);
  }
}

function assertNever(x: never): never {
  throw new TypeError(`otaStep: unhandled event ${JSON.stringify(x)}`);
}
