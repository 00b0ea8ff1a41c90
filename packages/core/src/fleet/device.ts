/**
 * @module fleet/device
 * What a fleet member is (`FleetMember`), what the fleet gives it (`FleetDeviceHost`), and the
 * light agent of the foreign client profiles (zephyr, swupdate, rauc): one fleet device with its
 * own flash and MCUboot twin (boards/), the firmware in its primary slot (a real signed image
 * whose descriptor carries a bad build's faults), and a DDI client shaped by a client profile
 * (profiles.ts). Our own device (`slotwise`) is not this agent: it is the device of issue 5
 * (slotwise-device.ts). The agent does not run a sensor loop; it is an imperative agent on the
 * discrete-event kernel: every wait is a kernel event, every HTTP
 * exchange goes through the fleet (`FleetDeviceHost.send`), which applies the link model.
 * RAM state dies with each reset (an epoch guards stale events); the saved action, the flash
 * and (Zephyr SAVE_PROGRESS) the download progress survive. A PowerLoss from the flash is a
 * power cut wherever it happens, including inside the bootloader.
 */
import { readSlotState, setConfirmed, setPending } from '../boot/public-api.js';
import { trailerSize } from '../boot/trailer.js';
import { toHex } from '../bytes/hex.js';
import type { CryptoPort } from '../crypto/port.js';
import { readFirmware, type FirmwareFaults } from '../device/firmware.js';
import { decodeUtf8 } from '../device/utf8-decode.js';
import { isPowerLoss } from '../flash/power-loss.js';
import type { BoardDevice } from '../boards/factory.js';
import { ddiBasePath, parseSleep } from '../protocol/ddi.js';
import type { HttpRequest } from '../protocol/transport.js';
import type { Random } from '../sim/random.js';
import type { SimScheduler } from '../sim/scheduler.js';
import type { LinkSpec } from './network.js';
import { backoffMs, type ClientProfile } from './profiles.js';
import type { PowerCutPhase } from './scenario.js';

/** An exchange as the device sees it: an answer (body possibly cut short) or no answer. */
export type ExchangeResult =
  | { readonly ok: true; readonly status: number; readonly body: Uint8Array; readonly broken: boolean }
  | { readonly ok: false; readonly reason: 'outage' | 'lost' | 'refused' };

/** What the fleet needs of each of its devices, whichever client it runs. */
export interface FleetMember {
  readonly index: number;
  readonly controllerId: string;
  readonly profile: ClientProfile;
  readonly link: LinkSpec;
  readonly random: Random;
  readonly board: BoardDevice;
  /** Version running now ('none' before the first boot). */
  readonly running: string;
  readonly bricked: boolean;
  readonly isConfirmed: boolean;
  /** True when nothing is in progress: no open download, no report to send, confirmed. */
  readonly settled: boolean;
  /** The flash changed since the last compaction. */
  readonly flashDirty: boolean;
  readonly polls: number;
  /** Download response bytes received, whole or cut short. */
  readonly downloadBytes: number;
  /** Image bytes of the downloads completed (the denominator of bytes sent per image byte). */
  readonly completedBytes: number;
  readonly powerLosses: number;
  /** Virtual time at which each version was first confirmed running. */
  readonly confirmedAt: ReadonlyMap<string, number>;
  compactFlash(): void;
  attach(host: FleetDeviceHost): void;
  powerOn(): void;
  /** Final classification against `target` (a version); 'bricked' wins. */
  outcome(target: string | null): DeviceOutcomeTag;
}

/**
 * The image in a board's primary slot: header, payload and the TLVs after it (up to 2 KiB, more
 * than any fleet image carries), read without copying the rest of the slot.
 */
export function primaryImageOf(board: BoardDevice): Uint8Array {
  const p = board.primary;
  const h = p.read(0, 16);
  const len = (h[8]! | (h[9]! << 8)) + (h[10]! | (h[11]! << 8)) + ((h[12]! | (h[13]! << 8) | (h[14]! << 16) | (h[15]! << 24)) >>> 0) + 2048;
  return p.read(0, Math.min(p.size, len));
}

/** What the fleet provides to its devices. */
export interface FleetDeviceHost {
  nowMs(): number;
  /** The kernel (its clock is the run's clock); devices schedule their own timers on it. */
  readonly scheduler: SimScheduler;
  /** Kernel time at which the run started (link outages are relative to it). */
  readonly startMs: number;
  /** Runs `fn` after `delayMs` of virtual time. */
  after(delayMs: number, fn: () => void): void;
  /** Sends one request over the device's link; `done` runs when the answer (or failure) arrives. */
  send(device: FleetMember, request: HttpRequest, done: (r: ExchangeResult) => void): void;
  /**
   * Carries a request of `requestBytes` over the device's link to a server that answers 200 with
   * `responseBytes` and keeps nothing (used for samples when the server port takes none).
   */
  carry(device: FleetMember, requestBytes: number, responseBytes: number, done: (r: ExchangeResult) => void): void;
  trace(device: FleetMember, line: string): void;
  readonly crypto: CryptoPort;
  readonly tenant: string;
  /** Devices authenticate with the tenant's gateway token and register on first contact. */
  readonly gatewayToken: string;
}

export interface FleetDeviceInput {
  readonly index: number;
  readonly controllerId: string;
  readonly profile: ClientProfile;
  readonly link: LinkSpec;
  readonly board: BoardDevice;
  readonly random: Random;
  /** Phases in which this device loses power once. */
  readonly powerCuts: readonly PowerCutPhase[];
  readonly powerOffMs: number;
}

interface Deployment {
  readonly actionId: string;
  readonly version: string;
  readonly size: number;
  readonly sha256: string;
  readonly href: string;
}

/** The path of an href (hrefs are absolute; like Zephyr, only the path is used). */
function pathOf(href: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/]*(\/[^?#]*)/i.exec(href);
  return m === null ? href.split('?')[0]! : m[1]!;
}

export type DeviceOutcomeTag = 'updated' | 'rolled_back' | 'failed' | 'pending' | 'bricked';

const JSON_HEADERS = { 'content-type': 'application/json;charset=UTF-8' };

function parseJson(body: Uint8Array): Record<string, unknown> | null {
  const text = decodeUtf8(body);
  if (text === undefined) return null;
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null; // a malformed answer is a failed exchange
  }
}

const get = (o: unknown, ...path: string[]): unknown => {
  let v = o;
  for (const k of path) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined;
  return v;
};

export class FleetDevice implements FleetMember {
  readonly index: number;
  readonly controllerId: string;
  readonly profile: ClientProfile;
  readonly link: LinkSpec;
  readonly random: Random;
  readonly board: BoardDevice;
  // Survives resets (flash / settings).
  private saved: { actionId: string; version: string } | null = null;
  private persisted: { actionId: string; bytes: number } | null = null;
  private cutPlan: Set<PowerCutPhase>;
  private readonly powerOffMs: number;
  private readonly imageLimit: number;
  private readonly sector: number;
  private host!: FleetDeviceHost;
  // RAM (lost on reset).
  private epoch = 0;
  private on = false;
  private busy = false;
  private confirmed = true;
  private faults: FirmwareFaults = {};
  private outbox: HttpRequest[] = [];
  private sleepMs: number;
  private errors = 0;
  private dl: Deployment | null = null;
  private offset = 0;
  private erasedTo = 0;
  private visitChunks = 0;
  private retriesLeft = 0;
  private headDone = false;
  private cutAtByte = -1;
  /** The flash changed since the last compaction. */
  flashDirty = false;
  // Outcome accounting.
  running = 'none';
  bricked = false;
  bootCount = 0;
  powerLosses = 0;
  polls = 0;
  downloadBytes = 0;
  completedDownloads = 0;
  /** Image bytes of the downloads completed (the denominator of bytes sent per image byte). */
  completedBytes = 0;
  readonly attempted = new Set<string>();
  readonly offered = new Set<string>();
  /** Virtual time at which each version was first confirmed running. */
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
    this.sleepMs = input.profile.defaultPollMs;
    const sec = this.board.secondary;
    this.sector = sec.sectors()[0]?.size ?? 4096;
    const trailerStart = sec.size - trailerSize(this.board.trailer, sec.writeAlign);
    this.imageLimit = Math.floor(trailerStart / this.sector) * this.sector;
  }

  get isConfirmed(): boolean {
    return this.confirmed;
  }

  /** True when nothing is in progress: no open download, no report to send, confirmed. */
  get settled(): boolean {
    return this.bricked || (this.on && !this.busy && this.dl === null && this.outbox.length === 0 && this.confirmed && this.saved === null);
  }

  /** Shares this device's unchanged-since sectors with the fleet (boards `compact`). */
  compactFlash(): void {
    this.board.compact();
    this.flashDirty = false;
  }

  attach(host: FleetDeviceHost): void {
    this.host = host;
  }

  powerOn(): void {
    this.boot('power-on');
  }

  // ---- kernel plumbing ------------------------------------------------------------------

  /** Schedules `fn` in this boot only; a PowerLoss inside it is a power cut. */
  private later(delayMs: number, fn: () => void): void {
    const mine = this.epoch;
    this.host.after(delayMs, () => {
      if (mine === this.epoch) this.guard(fn);
    });
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      if (!isPowerLoss(e)) throw e;
      this.powerCut('flash operation refused');
    }
  }

  private send(request: HttpRequest, done: (r: ExchangeResult) => void): void {
    const mine = this.epoch;
    this.host.send(this, request, (r) => {
      if (mine === this.epoch) this.guard(() => done(r));
    });
  }

  private trace(line: string): void {
    this.host.trace(this, line);
  }

  private headers(json: boolean): Record<string, string> {
    const auth = { authorization: `GatewayToken ${this.host.gatewayToken}` };
    return json ? { ...auth, ...JSON_HEADERS } : auth;
  }

  // ---- power and boot -------------------------------------------------------------------

  private clearRam(): void {
    this.epoch++;
    this.on = false;
    this.busy = false;
    this.outbox = [];
    this.dl = null;
    this.offset = 0;
    this.erasedTo = 0;
    this.headDone = false;
    this.errors = 0;
    this.board.disarm();
    if (!this.profile.persistProgress) this.persisted = null;
  }

  powerCut(why: string): void {
    this.clearRam();
    this.powerLosses++;
    this.trace(`power cut (${why})`);
    const mine = this.epoch;
    this.host.after(this.powerOffMs, () => {
      if (mine !== this.epoch) return;
      if (this.cutPlan.delete('recovery')) this.board.armPowerCut(1 + this.random.below(24));
      this.guard(() => this.boot('power-on'));
    });
  }

  private reset(reason: string): void {
    this.clearRam();
    this.trace(`reset (${reason})`);
    this.guard(() => this.boot(reason));
  }

  private boot(reason: string): void {
    this.clearRam();
    this.bootCount++;
    const r = this.board.boot();
    this.board.disarm();
    if (r.outcome !== 'ok') {
      this.bricked = true;
      this.trace(`BRICKED after ${reason}: ${r.outcome} ${r.swapType}`);
      return;
    }
    // Both slots now hold images many devices share: give the sectors to the pool at once,
    // so a fleet mid-rollout does not hold a private copy of every image.
    if (r.ops.length > 0 || this.flashDirty) this.compactFlash();
    const fw = readFirmware(primaryImageOf(this.board));
    this.running = fw.ok ? fw.descriptor.version : 'unknown';
    this.faults = fw.ok ? fw.descriptor.faults : {};
    const st = readSlotState(this.board.primary, this.board.trailer);
    this.confirmed = st.magic !== 'good' || st.imageOk === 'set';
    this.on = true;
    this.trace(`boot ${this.running} (${reason}, swap ${r.swapType}, ${this.confirmed ? 'confirmed' : 'test'})`);
    if (this.confirmed && !this.confirmedAt.has(this.running)) this.confirmedAt.set(this.running, this.host.nowMs());
    if (this.faults.crashAfterMs !== undefined) this.later(this.faults.crashAfterMs, () => this.reset('crash'));
    if (!this.confirmed) this.planConfirm();
    else this.reportAfterBoot();
    const startMs = this.profile.confirm === 'boot' ? this.profile.healthDelayMs : 1_000;
    this.later(startMs + this.jitter(1_000), () => this.probe());
  }

  /** The primary slot's image bytes (header, body, TLVs), without copying the rest of the slot. */
  private planConfirm(): void {
    const f = this.faults;
    const healthy = this.profile.confirm === 'boot' ? true : f.sensorInitFails !== true && f.networkBroken !== true;
    if (healthy && f.neverConfirms !== true) this.later(this.profile.healthDelayMs, () => this.confirm());
    if (this.profile.confirm === 'health') {
      this.later(this.profile.healthTimeoutMs, () => {
        if (!this.confirmed) this.reset('health check failed');
      });
    }
  }

  private confirm(): void {
    this.flashDirty = true;
    setConfirmed(this.board.primary, this.board.trailer);
    this.confirmed = true;
    if (!this.confirmedAt.has(this.running)) this.confirmedAt.set(this.running, this.host.nowMs());
    this.trace(`confirmed ${this.running}`);
    this.reportAfterBoot();
  }

  /** What the client says after booting into (or back from) an update it saved. */
  private reportAfterBoot(): void {
    const s = this.saved;
    if (s === null) return;
    const ok = s.version === this.running;
    if (!ok) this.trace(`rolled back to ${this.running} (wanted ${s.version})`);
    const kind = ok ? (this.profile.successBeforeReboot ? 'none' : 'success') : this.profile.rollbackReport;
    if (kind === 'none') {
      this.saved = null;
      return;
    }
    this.outbox.push(this.feedback(s.actionId, 'closed', kind, ok ? `running ${this.running}` : `rolled back to ${this.running}`));
  }

  private feedback(actionId: string, execution: 'closed' | 'proceeding', finished: 'success' | 'failure' | 'none', detail: string): HttpRequest {
    const status = { execution, result: { finished }, details: [detail] };
    const p = this.profile.feedbackId;
    const body = p === 'none' ? { status } : { id: p === 'number' ? Number(actionId) : actionId, time: '20260101T000000', status };
    return { method: 'POST', url: `${ddiBasePath(this.host.tenant, this.controllerId)}/deploymentBase/${actionId}/feedback`, headers: this.headers(true), body: JSON.stringify(body) };
  }

  private configData(): HttpRequest {
    const body = { mode: this.profile.configMode, data: { fw_version: this.running } };
    return { method: 'PUT', url: `${ddiBasePath(this.host.tenant, this.controllerId)}/configData`, headers: this.headers(true), body: JSON.stringify(body) };
  }

  private jitter(spanMs: number): number {
    return spanMs > 0 ? this.random.below(spanMs) : 0;
  }

  // ---- one probe --------------------------------------------------------------------------

  private probe(): void {
    if (!this.on || this.busy) return;
    if (!this.confirmed && this.profile.rebootIfUnconfirmed) {
      this.reset('image not confirmed');
      return;
    }
    if (this.faults.networkBroken === true) {
      this.idle(this.sleepMs);
      return;
    }
    this.busy = true;
    this.flush(() => this.poll(2));
  }

  /** Sends the outbox in order, then `next`; a failed report ends the probe (or, with `always`, goes on regardless). */
  private flush(next: () => void, always = false): void {
    const req = this.outbox[0];
    if (req === undefined) {
      next();
      return;
    }
    this.send(req, (r) => {
      if (!r.ok || r.broken || (r.status >= 300 && r.status !== 410)) {
        this.trace(`report failed: ${r.ok ? r.status : r.reason}`);
        if (always) next();
        else this.fail('report not delivered');
        return;
      }
      this.outbox.shift();
      if (req.method === 'POST' && this.saved !== null && req.url.includes(`/deploymentBase/${this.saved.actionId}/`) && typeof req.body === 'string' && req.body.includes('"closed"')) {
        this.saved = null;
      }
      this.flush(next, always);
    });
  }

  private poll(budget: number): void {
    this.polls++;
    this.send({ method: 'GET', url: ddiBasePath(this.host.tenant, this.controllerId), headers: this.headers(false) }, (r) => {
      if (!r.ok || r.broken || r.status !== 200) return this.fail(`poll: ${r.ok ? r.status : r.reason}`);
      const body = parseJson(r.body);
      if (body === null) return this.fail('poll: bad JSON');
      const sleep = get(body, 'config', 'polling', 'sleep');
      const sec = typeof sleep === 'string' ? parseSleep(sleep) : null;
      if (sec !== null && sec > 0) this.sleepMs = sec * 1000;
      const cancel = get(body, '_links', 'cancelAction', 'href');
      const config = get(body, '_links', 'configData', 'href');
      const deployment = get(body, '_links', 'deploymentBase', 'href');
      if (typeof cancel === 'string') return this.cancel(cancel);
      if (typeof config === 'string' && budget > 0) {
        this.outbox.push(this.configData());
        return this.flush(() => this.poll(budget - 1));
      }
      if (typeof deployment === 'string') return this.deploymentBase(deployment);
      this.idle(this.sleepMs);
    });
  }

  private cancel(href: string): void {
    const id = /cancelAction\/(\d+)/.exec(href)?.[1] ?? '0';
    const installed = this.saved !== null && this.saved.actionId === id;
    this.trace(`cancel ${id}${installed ? ' refused (installed)' : ''}`);
    if (!installed && this.dl?.actionId === id) this.dl = null;
    const status = { execution: 'closed', result: { finished: installed ? 'failure' : 'success' }, details: ['cancellation acknowledged'] };
    this.send({ method: 'POST', url: `${pathOf(href)}/feedback`, headers: this.headers(true), body: JSON.stringify({ status }) }, (r) => {
      if (!r.ok || r.status >= 300) return this.fail('cancel feedback');
      this.idle(this.sleepMs);
    });
  }

  private deploymentBase(href: string): void {
    this.send({ method: 'GET', url: href, headers: this.headers(false) }, (r) => {
      if (!r.ok || r.broken || r.status !== 200) return this.fail(`deploymentBase: ${r.ok ? r.status : r.reason}`);
      const body = parseJson(r.body);
      const chunk = (get(body, 'deployment', 'chunks') as unknown[] | undefined)?.[0];
      const art = (get(chunk, 'artifacts') as unknown[] | undefined)?.[0];
      const id = get(body, 'id');
      const version = get(chunk, 'version');
      const size = get(art, 'size');
      const sha256 = get(art, 'hashes', 'sha256');
      const link = get(art, '_links', 'download-http', 'href') ?? get(art, '_links', 'download', 'href');
      if (typeof id !== 'string' || typeof version !== 'string' || typeof size !== 'number' || typeof sha256 !== 'string' || typeof link !== 'string') {
        return this.fail('deploymentBase: not a one-chunk, one-artifact deployment');
      }
      this.offered.add(version);
      if (this.saved?.actionId === id || version === this.running) {
        // Installed already (a lost report, or Zephyr's step F): report once the image is settled.
        if (!this.confirmed) return this.idle(this.sleepMs);
        const ok = version === this.running;
        const kind = ok ? 'success' : this.profile.rollbackReport;
        if (kind !== 'none') this.outbox.push(this.feedback(id, 'closed', kind, ok ? `running ${this.running}` : `rolled back to ${this.running}`), this.configData());
        this.saved = null;
        return this.flush(() => this.idle(this.sleepMs));
      }
      if (size > this.imageLimit) return this.fail(`deployment of ${size} bytes does not fit the ${this.imageLimit}-byte slot`);
      if (this.dl?.actionId !== id) {
        this.dl = { actionId: id, version, size, sha256: sha256.toLowerCase(), href: link };
        const p = this.persisted;
        this.offset = p !== null && p.actionId === id && this.profile.resume ? p.bytes : 0;
        this.erasedTo = Math.ceil(this.offset / this.sector) * this.sector;
        this.headDone = false;
        this.trace(`deployment ${id}: ${version}, ${size} bytes, from byte ${this.offset}`);
        if (this.cutPlan.has('download')) this.cutAtByte = this.random.below(size);
        if (this.profile.progressFeedback) this.outbox.push(this.feedback(id, 'proceeding', 'none', 'downloading'));
      }
      this.retriesLeft = this.profile.retries;
      this.visitChunks = 0;
      this.flush(() => (this.profile.headFirst && !this.headDone ? this.head() : this.download()));
    });
  }

  private head(): void {
    const dl = this.dl!;
    this.send({ method: 'HEAD', url: dl.href, headers: this.headers(false) }, (r) => {
      if (!r.ok || r.status !== 200) return this.fail(`HEAD: ${r.ok ? r.status : r.reason}`);
      this.headDone = true;
      this.download();
    });
  }

  private download(): void {
    const dl = this.dl!;
    if (!this.profile.resume) this.offset = 0;
    if (this.offset === 0) this.erasedTo = 0;
    const from = this.offset;
    const to = this.profile.chunkBytes === null ? dl.size - 1 : Math.min(from + this.profile.chunkBytes, dl.size) - 1;
    const ranged = from > 0 || to < dl.size - 1;
    const headers = ranged ? { ...this.headers(false), range: `bytes=${from}-${to}` } : this.headers(false);
    this.send({ method: 'GET', url: dl.href, headers }, (r) => {
      if (!r.ok) return this.downloadFailed(r.reason);
      if (r.status !== 200 && r.status !== 206) return this.downloadFailed(`HTTP ${r.status}`);
      this.downloadBytes += r.body.length;
      // A 200 to a ranged request carries the whole file: start over from byte 0 (B.1.3 step 6).
      if (r.status === 200 && from > 0) {
        this.offset = 0;
        this.erasedTo = 0;
      }
      this.store(r.body, dl.size);
      if (r.broken) return this.downloadFailed('connection dropped');
      if (this.offset >= dl.size) return this.verify();
      if (++this.visitChunks >= this.profile.chunksPerVisit) {
        this.visitChunks = 0;
        this.later(this.profile.visitGapMs, () => this.download());
        return;
      }
      this.download();
    });
  }

  /** Writes what arrived (whole write units only) after the current offset, erasing ahead. */
  private store(bytes: Uint8Array, size: number): void {
    const sec = this.board.secondary;
    const align = sec.writeAlign;
    const end = this.offset + bytes.length;
    const keep = end >= size ? bytes.length : bytes.length - (end % align);
    if (keep <= 0) return;
    const data = bytes.subarray(0, keep);
    const upTo = this.offset + data.length;
    if (upTo > this.erasedTo) {
      const eraseEnd = Math.ceil(upTo / this.sector) * this.sector;
      sec.erase(this.erasedTo, eraseEnd - this.erasedTo);
      this.erasedTo = eraseEnd;
    }
    if (this.cutAtByte >= 0 && upTo > this.cutAtByte) {
      this.cutAtByte = -1;
      this.cutPlan.delete('download');
      this.board.armPowerCut(1);
    }
    const padded = data.length % align === 0 ? data : new Uint8Array(Math.ceil(data.length / align) * align).fill(sec.erasedValue);
    if (padded !== data) padded.set(data);
    this.flashDirty = true;
    sec.write(this.offset, padded);
    this.offset = upTo;
    if (this.profile.persistProgress) this.persisted = { actionId: this.dl!.actionId, bytes: upTo };
  }

  private downloadFailed(why: string): void {
    this.trace(`download broken at byte ${this.offset}: ${why}`);
    if (this.profile.resume && this.retriesLeft > 0) {
      this.retriesLeft--;
      this.later(this.profile.retryWaitMs, () => this.download());
      return;
    }
    this.fail(`download: ${why}`);
  }

  private verify(): void {
    const dl = this.dl!;
    const sha = toHex(this.host.crypto.createHash('sha256').update(this.board.secondary.read(0, dl.size)).digest());
    this.completedDownloads++;
    this.completedBytes += dl.size;
    if (sha !== dl.sha256) {
      this.offset = 0;
      this.persisted = null;
      return this.fail('downloaded image does not match its SHA-256');
    }
    if (this.profile.progressFeedback) this.outbox.push(this.feedback(dl.actionId, 'proceeding', 'none', 'downloaded, installing'));
    this.compactFlash();
    const sec = this.board.secondary;
    sec.erase(this.imageLimit, sec.size - this.imageLimit);
    setPending(sec, this.board.trailer, false);
    this.saved = { actionId: dl.actionId, version: dl.version };
    this.persisted = null;
    this.attempted.add(dl.version);
    this.trace(`test swap requested: ${dl.version}`);
    if (this.profile.successBeforeReboot) this.outbox.push(this.feedback(dl.actionId, 'closed', 'success', 'Software bundle installed successfully.'));
    // The reboot follows the request whether or not the reports got through (RAM is lost with it).
    this.flush(() => this.rebootForSwap(), true);
  }

  private rebootForSwap(): void {
    this.clearRam();
    this.trace('reboot (ota)');
    if (this.cutPlan.delete('swap')) this.board.armPowerCut(1 + this.random.below(4 * this.board.board.maxImgSectors));
    this.guard(() => this.boot('ota'));
  }

  private fail(why: string): void {
    this.trace(`error: ${why}`);
    const delay = this.profile.errorBackoff === 'table' ? backoffMs(this.errors) : this.sleepMs;
    this.errors++;
    this.busy = false;
    this.later(delay + this.jitter(Math.round(delay * this.profile.jitter)), () => this.probe());
  }

  private idle(sleepMs: number): void {
    this.busy = false;
    this.errors = 0;
    const open = this.dl !== null || this.saved !== null;
    const base = open && this.profile.activePollMs !== null ? this.profile.activePollMs : this.dl !== null && this.profile.chunkBytes !== null ? this.profile.visitGapMs : sleepMs;
    const j = Math.round(base * this.profile.jitter);
    this.later(base - j + this.jitter(2 * j + 1), () => this.probe());
  }

  /** Final classification against `target` (a version); 'bricked' wins. */
  outcome(target: string | null): DeviceOutcomeTag {
    if (this.bricked) return 'bricked';
    if (target === null) return 'pending';
    if (this.running === target && this.confirmed) return 'updated';
    if (this.attempted.has(target)) return 'rolled_back';
    if (this.offered.has(target) && this.dl === null) return 'failed';
    return 'pending';
  }
}
