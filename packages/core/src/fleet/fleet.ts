/**
 * @module fleet/fleet
 * The fleet run (issue 6): N devices on one discrete-event kernel — our own device
 * (slotwise-device.ts: the issue 5 reducer and driver) or the light agent of a foreign client
 * (device.ts) — their links
 * (network.ts), the update server behind a port (`FleetServerPort`: in-process via inject or
 * a real one over HTTP), and the operator's script. Requests reach the server at the virtual
 * time the link delivers them; the loop awaits every server exchange before taking the next
 * event, so a run depends only on (scenario, seed). Server time is modelled as a pool of
 * workers with per-request service times, which gives the report a virtual-time latency.
 * Pacing against a real clock is a port (`Pacer`), so the same fleet drives a live demo.
 */
import { createBoardFactory, createSectorPool, BOARD_PRESETS, type BoardFactory } from '../boards/factory.js';
import type { CryptoPort } from '../crypto/port.js';
import { buildFirmwareImage } from '../device/firmware.js';
import { createSlotValidator } from '../image/slot-validator.js';
import { publicOf, type ImagePrivateKey } from '../image/keys.js';
import { readFirmware } from '../device/firmware.js';
import type { HttpRequest, Transport } from '../protocol/transport.js';
import { createRandom } from '../sim/random.js';
import type { SimScheduler } from '../sim/scheduler.js';
import { FleetDevice, type DeviceOutcomeTag, type ExchangeResult, type FleetDeviceHost, type FleetMember } from './device.js';
import { SlotwiseFleetDevice } from './slotwise-device.js';
import { planRequest, planResponse } from './network.js';
import { resolveProfile } from './profiles.js';
import { targetRelease, type OperatorStep, type PowerCutPhase, type Scenario } from './scenario.js';
import { createTraceDigest } from './trace.js';

/** A firmware release as built for the run. */
export interface FleetImage {
  readonly name: string;
  readonly version: string;
  readonly bytes: Uint8Array;
}

export interface RolloutStatus {
  readonly name: string;
  readonly state: string;
  readonly currentStage: number;
  readonly reason: string | null;
  readonly stages: readonly { readonly members: number; readonly succeeded: number; readonly failed: number; readonly rolledBack: number; readonly open: number }[];
}

/** The update server as the fleet needs it; implemented at the edge (server/src/sim). */
export interface FleetServerPort {
  /** The device-facing HTTP transport. */
  readonly transport: Transport;
  /** Performs an operator step now (the server's clock reads the kernel); returns a trace line. */
  operate(step: OperatorStep, images: ReadonlyMap<string, FleetImage>): Promise<string>;
  /** Periodic server duties (last-seen flush, deadline sweep). */
  housekeeping(): Promise<void>;
  rollouts(): Promise<readonly RolloutStatus[]>;
  /** Closes the app and builds a new one on the same store. */
  restart(): Promise<void>;
  /**
   * Registers a device and returns its target token, so that its samples reach the server's
   * telemetry (`POST /api/v1/samples`). Without it, samples cross the link and are not kept.
   */
  deviceToken?(controllerId: string): Promise<string>;
}

/** Waits until virtual time `virtualMs` (ms since the run started) is due on a real clock. */
export interface Pacer {
  waitUntil(virtualMs: number): Promise<void>;
}

/** The server's capacity in virtual time: `workers` parallel handlers. */
export interface ServerModel {
  readonly workers: number;
  readonly pollMs: number;
  readonly jsonMs: number;
  readonly downloadBytesPerMs: number;
}

export const DEFAULT_SERVER_MODEL: ServerModel = { workers: 16, pollMs: 1, jsonMs: 2, downloadBytesPerMs: 100_000 };

export interface FleetInput {
  readonly scenario: Scenario;
  /** The kernel; its clock is the server's clock too. */
  readonly scheduler: SimScheduler;
  readonly crypto: CryptoPort;
  /** Signs the firmware builds; the devices' bootloaders trust its public half. */
  readonly key: ImagePrivateKey;
  readonly server: FleetServerPort;
  readonly tenant: string;
  readonly gatewayToken: string;
  /** Keep the trace lines of this device (controllerId or index). */
  readonly traceDevice?: string;
  readonly serverModel?: ServerModel;
  /** Check at the end that every device would boot a valid image (default true). */
  readonly checkBootable?: boolean;
}

export interface FleetProgress {
  readonly virtualMs: number;
  readonly durationMs: number;
  readonly updated: number;
  readonly devices: number;
}

export interface FleetRunOptions {
  readonly pacer?: Pacer;
  readonly onProgress?: (p: FleetProgress) => void;
}

export type OutcomeCounts = Record<DeviceOutcomeTag, number>;

export interface FleetResult {
  readonly scenario: string;
  readonly seed: number;
  readonly devices: number;
  readonly target: string | null;
  readonly outcomes: OutcomeCounts;
  /** Devices per running version, and per (version, outcome). */
  readonly versions: Readonly<Record<string, number>>;
  readonly byVersion: Readonly<Record<string, Partial<OutcomeCounts>>>;
  /** Virtual ms from the first rollout until 50/90/99 % of the fleet confirmed the target (null: never). */
  readonly timeToMs: { readonly p50: number | null; readonly p90: number | null; readonly p99: number | null };
  readonly bytesSent: number;
  readonly imageBytesCompleted: number;
  readonly bytesPerImageByte: number | null;
  readonly polls: number;
  readonly requests: number;
  readonly pollsPerSec: number;
  readonly serverLatencyP99Ms: number;
  readonly virtualMs: number;
  readonly powerLosses: number;
  readonly notBootable: readonly string[];
  readonly rollouts: readonly RolloutStatus[];
  readonly digest: string;
  readonly traceLines: number;
  readonly trace: readonly string[];
}

export interface Fleet {
  readonly devices: readonly FleetMember[];
  readonly images: ReadonlyMap<string, FleetImage>;
  run(options?: FleetRunOptions): Promise<FleetResult>;
}

const HOUSEKEEPING_MS = 10_000;
const SETTLE_CHECK_MS = 60_000;
const START_SPREAD_MS = 30_000;
const NO_BODY = new Uint8Array(0);

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

export function createFleet(input: FleetInput): Fleet {
  const { scenario, scheduler, crypto, server } = input;
  const model = input.serverModel ?? DEFAULT_SERVER_MODEL;
  const t0 = scheduler.nowMs();
  const root = createRandom(scenario.seed);
  const digest = createTraceDigest();
  const traced: string[] = [];

  const images = new Map<string, FleetImage>();
  for (const [name, r] of Object.entries(scenario.releases)) {
    const bytes = buildFirmwareImage({ descriptor: { version: r.version, sampleIntervalMs: r.sampleIntervalMs ?? 60_000, faults: r.faults ?? {} }, key: input.key, payloadSizeBytes: r.payloadBytes }, crypto).image;
    images.set(name, { name, version: r.version, bytes });
  }
  const validator = createSlotValidator({ crypto, keys: publicOf(input.key) });
  const factories = new Map<string, BoardFactory>();
  const pool = createSectorPool();
  const factory = (board: string, release: string): BoardFactory => {
    const key = `${board}/${release}`;
    let f = factories.get(key);
    if (f === undefined) {
      f = createBoardFactory(BOARD_PRESETS[board]!, images.get(release)!.bytes, validator, pool);
      factories.set(key, f);
    }
    return f;
  };

  const totalShare = scenario.groups.reduce((a, g) => a + g.share, 0);
  const devices: FleetMember[] = [];
  const cuts = scenario.faults?.powerCuts;
  for (let i = 0; i < scenario.devices; i++) {
    // Each device draws from its own fork: adding device N+1 changes nothing for devices 0..N.
    const rnd = root.fork(`device-${i}`);
    let pick = rnd.float() * totalShare;
    let group = scenario.groups[scenario.groups.length - 1]!;
    for (const g of scenario.groups) {
      if (pick < g.share) {
        group = g;
        break;
      }
      pick -= g.share;
    }
    const phases: PowerCutPhase[] = [];
    for (const p of cuts?.during ?? []) if (rnd.float() < (cuts?.share ?? 0)) phases.push(p);
    const member = {
      index: i,
      controllerId: `sim-${String(i).padStart(6, '0')}`,
      profile: resolveProfile(group.profile, group.overrides),
      link: scenario.networks[group.network]!,
      board: factory(group.board, group.release).newDevice(),
      random: rnd,
      powerCuts: phases,
      powerOffMs: cuts?.offMs ?? 5_000,
    };
    devices.push(group.profile === 'slotwise' ? new SlotwiseFleetDevice(member) : new FleetDevice(member));
  }

  const inflight: Promise<unknown>[] = [];
  const workerFree = new Float64Array(model.workers).fill(t0);
  const latencies: number[] = [];
  let requests = 0;
  let serverDownUntil = -Infinity;
  const restartWindows = scenario.operator.flatMap((st) => (st.op === 'server.restart' ? [{ fromMs: st.atMs, untilMs: st.atMs + (st.downMs ?? 0) }] : []));
  let stop = false;
  const traceId = input.traceDevice;

  const rel = (): number => scheduler.nowMs() - t0;
  const traceLine = (who: string, line: string): void => {
    const text = `${rel()} ${who} ${line}`;
    digest.add(text);
    if (traceId !== undefined && (who === traceId || who === 'server')) traced.push(text);
  };

  const serviceMs = (req: HttpRequest, bytes: number): number =>
    req.method === 'GET' && req.url.includes('/artifacts/') ? model.jsonMs + bytes / model.downloadBytesPerMs : req.method === 'GET' && !req.url.includes('/deploymentBase/') ? model.pollMs : model.jsonMs;

  const host: FleetDeviceHost = {
    crypto,
    tenant: input.tenant,
    gatewayToken: input.gatewayToken,
    scheduler,
    startMs: t0,
    nowMs: () => scheduler.nowMs(),
    after: (delayMs, fn) => void scheduler.after(delayMs, fn),
    trace: (d, line) => traceLine(d.controllerId, line),
    carry(d, requestBytes, responseBytes, done) {
      // One kernel event per exchange: the server's down windows are known from the script.
      const sentAt = rel();
      const plan = planRequest(d.link, d.random, sentAt, requestBytes);
      if (plan.kind === 'fails') {
        scheduler.at(t0 + plan.atMs, () => done({ ok: false, reason: plan.reason }));
        return;
      }
      if (restartWindows.some((w) => plan.atMs >= w.fromMs && plan.atMs < w.untilMs)) {
        scheduler.at(t0 + plan.atMs + d.link.latencyMs, () => done({ ok: false, reason: 'refused' }));
        return;
      }
      const rp = planResponse(d.link, d.random, sentAt, plan.atMs, responseBytes);
      scheduler.at(t0 + rp.atMs, () => done({ ok: true, status: 200, body: NO_BODY, broken: rp.broken }));
    },
    send(d: FleetMember, req: HttpRequest, done: (r: ExchangeResult) => void) {
      const sentAt = rel();
      const reqBytes = req.body === undefined ? 0 : req.body.length;
      const plan = planRequest(d.link, d.random, sentAt, reqBytes);
      if (plan.kind === 'fails') {
        scheduler.at(t0 + plan.atMs, () => done({ ok: false, reason: plan.reason }));
        return;
      }
      scheduler.at(t0 + plan.atMs, () => {
        const arrive = scheduler.nowMs();
        if (arrive < serverDownUntil) {
          scheduler.at(arrive + d.link.latencyMs, () => done({ ok: false, reason: 'refused' }));
          return;
        }
        requests++;
        inflight.push(
          server.transport.request(req).then(
            (res) => {
              let w = 0;
              for (let k = 1; k < workerFree.length; k++) if (workerFree[k]! < workerFree[w]!) w = k;
              const end = Math.max(arrive, workerFree[w]!) + Math.ceil(serviceMs(req, res.body.length));
              workerFree[w] = end;
              latencies.push(end - arrive);
              const rp = planResponse(d.link, d.random, sentAt, end - t0, res.body.length);
              const body = rp.broken ? res.body.subarray(0, rp.deliveredBytes) : res.body;
              scheduler.at(t0 + rp.atMs, () => done({ ok: true, status: res.status, body, broken: rp.broken }));
            },
            () => scheduler.at(arrive + d.link.latencyMs, () => done({ ok: false, reason: 'refused' })),
          ),
        );
      });
    },
  };
  for (const d of devices) d.attach(host);

  const target = targetRelease(scenario);
  const targetVersion = target === null ? null : scenario.releases[target]!.version;
  const rolloutStart = scenario.operator.find((s) => s.op === 'rollout')?.atMs ?? 0;
  let opsLeft = scenario.operator.length;

  const countUpdated = (): number => {
    let n = 0;
    for (const d of devices) if (targetVersion !== null && d.running === targetVersion && d.isConfirmed) n++;
    return n;
  };

  async function run(options: FleetRunOptions = {}): Promise<FleetResult> {
    const end = t0 + scenario.durationMs;
    if (server.deviceToken !== undefined) {
      // Factory provisioning: our devices carry their own token for telemetry.
      for (const d of devices) if (d instanceof SlotwiseFleetDevice) d.sampleToken = await server.deviceToken(d.controllerId);
    }
    for (const d of devices) {
      const at = d.random.below(START_SPREAD_MS);
      scheduler.at(t0 + at, () => d.powerOn());
    }
    for (const step of scenario.operator) {
      scheduler.at(t0 + step.atMs, () => {
        opsLeft--;
        if (step.op === 'server.restart') {
          serverDownUntil = scheduler.nowMs() + (step.downMs ?? 0);
          traceLine('server', `restart (down ${step.downMs ?? 0} ms)`);
          inflight.push(server.restart());
          return;
        }
        inflight.push(server.operate(step, images).then((line) => traceLine('server', line)));
      });
    }
    const housekeeping = (): void => {
      inflight.push(server.housekeeping());
      options.onProgress?.({ virtualMs: rel(), durationMs: scenario.durationMs, updated: countUpdated(), devices: devices.length });
      if (scheduler.nowMs() + HOUSEKEEPING_MS <= end) scheduler.after(HOUSEKEEPING_MS, housekeeping);
    };
    scheduler.after(HOUSEKEEPING_MS, housekeeping);
    const settleCheck = (): void => {
      // Devices that finished changing their flash give their sectors to the shared pool.
      for (const d of devices) if (d.flashDirty && d.settled) d.compactFlash();
      if (opsLeft === 0 && devices.every((d) => d.settled)) {
        const all = countUpdated() === devices.length;
        inflight.push(
          server.rollouts().then((rs) => {
            // A paused rollout may still have actions its devices have not fetched yet: wait for them.
            if (all || rs.every((r) => r.state !== 'running' && r.stages.every((st) => st.open === 0))) stop = true;
          }),
        );
      }
      if (scheduler.nowMs() + SETTLE_CHECK_MS <= end) scheduler.after(SETTLE_CHECK_MS, settleCheck);
    };
    scheduler.after(SETTLE_CHECK_MS, settleCheck);

    let paced = -1;
    while (!stop) {
      const next = scheduler.nextAtMs();
      if (next === undefined || next > end) break;
      if (options.pacer !== undefined && next > paced) {
        await options.pacer.waitUntil(next - t0);
        paced = next;
      }
      scheduler.runNext();
      while (inflight.length > 0) await inflight.shift();
    }
    const virtualMs = rel();
    traceLine('server', `end of run at ${virtualMs} ms`);
    return summarise(virtualMs, await server.rollouts());
  }

  function summarise(virtualMs: number, rollouts: readonly RolloutStatus[]): FleetResult {
    const outcomes: OutcomeCounts = { updated: 0, rolled_back: 0, failed: 0, pending: 0, bricked: 0 };
    const versions: Record<string, number> = {};
    const byVersion: Record<string, Partial<OutcomeCounts>> = {};
    const reached: number[] = [];
    const notBootable: string[] = [];
    let bytesSent = 0;
    let imageBytes = 0;
    let polls = 0;
    let powerLosses = 0;
    for (const d of devices) {
      const o = d.outcome(targetVersion);
      outcomes[o]++;
      const v = d.bricked ? 'bricked' : d.running;
      versions[v] = (versions[v] ?? 0) + 1;
      const bv = (byVersion[v] ??= {});
      bv[o] = (bv[o] ?? 0) + 1;
      bytesSent += d.downloadBytes;
      imageBytes += d.completedBytes;
      polls += d.polls;
      powerLosses += d.powerLosses;
      const at = targetVersion === null ? undefined : d.confirmedAt.get(targetVersion);
      if (o === 'updated' && at !== undefined) reached.push(at - t0 - rolloutStart);
      if (input.checkBootable !== false) {
        const r = d.board.bootCopy();
        const fw = r.outcome === 'ok' ? readFirmware(d.board.primary.read(0, d.board.primary.size)) : null;
        if (r.outcome !== 'ok' || fw === null || !fw.ok) notBootable.push(d.controllerId);
      }
    }
    reached.sort((a, b) => a - b);
    const at = (q: number): number | null => {
      const k = Math.ceil(q * devices.length);
      return k <= reached.length && k > 0 ? Math.max(0, reached[k - 1]!) : null;
    };
    const lat = Float64Array.from(latencies).sort();
    return {
      scenario: scenario.name,
      seed: scenario.seed,
      devices: devices.length,
      target: targetVersion,
      outcomes,
      versions,
      byVersion,
      timeToMs: { p50: at(0.5), p90: at(0.9), p99: at(0.99) },
      bytesSent,
      imageBytesCompleted: imageBytes,
      bytesPerImageByte: imageBytes > 0 ? bytesSent / imageBytes : null,
      polls,
      requests,
      pollsPerSec: virtualMs > 0 ? polls / (virtualMs / 1000) : 0,
      serverLatencyP99Ms: quantile(lat, 0.99),
      virtualMs,
      powerLosses,
      notBootable,
      rollouts,
      digest: digest.hex(),
      traceLines: digest.lines,
      trace: traced,
    };
  }

  return { devices, images, run };
}
