/**
 * @module fleet/scenario
 * A fleet scenario as data (issue 6): the devices (groups by share: client profile, network,
 * board, starting release), the firmware releases (real signed images built from descriptors,
 * bad builds included), the faults, and the operator's script. `parseScenario` validates
 * untrusted JSON and throws SW_ERR_SIM_SCENARIO_INVALID naming the path of the first bad field.
 */
import { SlotwiseError } from '../errors.js';
import { BOARD_PRESETS } from '../boards/factory.js';
import type { FirmwareFaults } from '../device/firmware.js';
import { CLIENT_PROFILES, type ProfileName, type ProfileOverrides } from './profiles.js';
import type { LinkSpec } from './network.js';

export interface ReleaseSpec {
  readonly version: string;
  /** Payload bytes (descriptor + filler) of the signed image. */
  readonly payloadBytes: number;
  readonly sampleIntervalMs?: number;
  /** A bad build's switches (fail the health check, crash loop, never confirm). */
  readonly faults?: FirmwareFaults;
}

export interface DeviceGroup {
  /** Relative weight: each device draws its group from its own random stream. */
  readonly share: number;
  readonly profile: ProfileName;
  readonly network: string;
  readonly board: string;
  readonly release: string;
  readonly overrides?: ProfileOverrides;
}

export type PowerCutPhase = 'download' | 'swap' | 'recovery';

export interface FaultSpec {
  /** Share of devices that lose power once in each listed phase (each phase drawn separately). */
  readonly powerCuts?: { readonly share: number; readonly during: readonly PowerCutPhase[]; readonly offMs?: number };
}

export type OperatorStep =
  | { readonly atMs: number; readonly op: 'upload'; readonly release: string }
  | {
      readonly atMs: number;
      readonly op: 'rollout';
      readonly name: string;
      readonly release: string;
      readonly stages: readonly ({ readonly count: number } | { readonly percent: number })[];
      readonly successThreshold?: number;
      readonly maxFailureRatio?: number;
      readonly deviceTimeoutMs?: number;
    }
  | { readonly atMs: number; readonly op: 'pause' | 'resume' | 'abort'; readonly rollout: string }
  | { readonly atMs: number; readonly op: 'server.restart'; readonly downMs?: number };

export interface Scenario {
  readonly name: string;
  readonly description?: string;
  readonly seed: number;
  readonly devices: number;
  /** Virtual run time; the run also stops early once the fleet has settled. */
  readonly durationMs: number;
  /** Server poll interval (tenant `pollSleepSec`) and its jitter. */
  readonly pollSleepSec: number;
  readonly pollJitterPct?: number;
  readonly releases: Readonly<Record<string, ReleaseSpec>>;
  readonly networks: Readonly<Record<string, LinkSpec>>;
  readonly groups: readonly DeviceGroup[];
  readonly faults?: FaultSpec;
  readonly operator: readonly OperatorStep[];
  /** The release the rollouts aim at: what "updated" means in the report (default: the last rollout's). */
  readonly target?: string;
}

class Checker {
  readonly path: string;
  constructor(path: string) {
    this.path = path;
  }
  fail(what: string): never {
    throw new SlotwiseError('SW_ERR_SIM_SCENARIO_INVALID', `scenario ${this.path}: ${what}`);
  }
  at(key: string | number): Checker {
    return new Checker(typeof key === 'number' ? `${this.path}[${key}]` : `${this.path}.${key}`);
  }
}

type Json = Record<string, unknown>;

function obj(v: unknown, c: Checker): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) c.fail(`expected an object, got ${describe(v)}`);
  return v as Json;
}
function arr(v: unknown, c: Checker): unknown[] {
  if (!Array.isArray(v)) c.fail(`expected an array, got ${describe(v)}`);
  return v;
}
function str(v: unknown, c: Checker): string {
  if (typeof v !== 'string' || v.length === 0) c.fail(`expected a non-empty string, got ${describe(v)}`);
  return v;
}
function num(v: unknown, c: Checker, min: number, max = Number.MAX_SAFE_INTEGER, integer = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    c.fail(`expected ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got ${describe(v)}`);
  }
  return v;
}
function opt<T>(o: Json, key: string, c: Checker, read: (v: unknown, c: Checker) => T): T | undefined {
  return o[key] === undefined ? undefined : read(o[key], c.at(key));
}
function known(o: Json, keys: readonly string[], c: Checker): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) c.at(k).fail(`unknown field (expected one of ${keys.join(', ')})`);
}
function describe(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
function oneOf<T extends string>(v: unknown, c: Checker, values: readonly T[]): T {
  if (typeof v !== 'string' || !values.includes(v as T)) c.fail(`expected one of ${values.join(', ')}, got ${describe(v)}`);
  return v as T;
}
const int = (min: number, max?: number) => (v: unknown, c: Checker) => num(v, c, min, max, true);
const bool = (v: unknown, c: Checker): boolean => (typeof v === 'boolean' ? v : c.fail(`expected true or false, got ${describe(v)}`));

function readFaults(v: unknown, c: Checker): FirmwareFaults {
  const o = obj(v, c);
  known(o, ['sensorInitFails', 'crashAfterMs', 'neverConfirms', 'networkBroken'], c);
  const crash = opt(o, 'crashAfterMs', c, int(1));
  const flags = (['sensorInitFails', 'neverConfirms', 'networkBroken'] as const).filter((k) => opt(o, k, c, bool) === true);
  return { ...Object.fromEntries(flags.map((k) => [k, true])), ...(crash === undefined ? {} : { crashAfterMs: crash }) };
}

function readLink(v: unknown, c: Checker): LinkSpec {
  const o = obj(v, c);
  known(o, ['latencyMs', 'jitterMs', 'bytesPerSec', 'lossRate', 'dropsPerMiB', 'timeoutMs', 'outages'], c);
  const outages = opt(o, 'outages', c, (x, cc) =>
    arr(x, cc).map((w, i) => {
      const wc = cc.at(i);
      const wo = obj(w, wc);
      known(wo, ['fromMs', 'untilMs'], wc);
      const fromMs = num(wo['fromMs'], wc.at('fromMs'), 0);
      const untilMs = num(wo['untilMs'], wc.at('untilMs'), fromMs);
      return { fromMs, untilMs };
    }),
  );
  return {
    latencyMs: num(o['latencyMs'], c.at('latencyMs'), 0, 60_000),
    jitterMs: opt(o, 'jitterMs', c, (x, cc) => num(x, cc, 0, 60_000)) ?? 0,
    bytesPerSec: num(o['bytesPerSec'], c.at('bytesPerSec'), 1),
    lossRate: opt(o, 'lossRate', c, (x, cc) => num(x, cc, 0, 0.99)) ?? 0,
    dropsPerMiB: opt(o, 'dropsPerMiB', c, (x, cc) => num(x, cc, 0, 1000)) ?? 0,
    timeoutMs: opt(o, 'timeoutMs', c, (x, cc) => num(x, cc, 1)) ?? 30_000,
    outages: outages ?? [],
  };
}

function readOverrides(v: unknown, c: Checker): ProfileOverrides {
  const o = obj(v, c);
  known(o, ['chunkBytes', 'chunksPerVisit', 'resume', 'persistProgress', 'healthTimeoutMs'], c);
  return {
    ...(o['chunkBytes'] === undefined ? {} : { chunkBytes: num(o['chunkBytes'], c.at('chunkBytes'), 512, 1 << 24, true) }),
    ...(o['chunksPerVisit'] === undefined ? {} : { chunksPerVisit: num(o['chunksPerVisit'], c.at('chunksPerVisit'), 1, 1 << 20, true) }),
    ...(o['resume'] === undefined ? {} : { resume: bool(o['resume'], c.at('resume')) }),
    ...(o['persistProgress'] === undefined ? {} : { persistProgress: bool(o['persistProgress'], c.at('persistProgress')) }),
    ...(o['healthTimeoutMs'] === undefined ? {} : { healthTimeoutMs: num(o['healthTimeoutMs'], c.at('healthTimeoutMs'), 1, Number.MAX_SAFE_INTEGER, true) }),
  };
}

function readStep(v: unknown, c: Checker, releases: Json, rollouts: Set<string>): OperatorStep {
  const o = obj(v, c);
  const atMs = num(o['atMs'], c.at('atMs'), 0);
  const op = oneOf(o['op'], c.at('op'), ['upload', 'rollout', 'pause', 'resume', 'abort', 'server.restart'] as const);
  const release = (): string => {
    const r = str(o['release'], c.at('release'));
    if (releases[r] === undefined) c.at('release').fail(`no release named "${r}" in releases`);
    return r;
  };
  switch (op) {
    case 'upload':
      known(o, ['atMs', 'op', 'release'], c);
      return { atMs, op, release: release() };
    case 'rollout': {
      known(o, ['atMs', 'op', 'name', 'release', 'stages', 'successThreshold', 'maxFailureRatio', 'deviceTimeoutMs'], c);
      const name = str(o['name'], c.at('name'));
      rollouts.add(name);
      const stages = arr(o['stages'], c.at('stages')).map((s, i) => {
        const sc = c.at('stages').at(i);
        const so = obj(s, sc);
        if (so['count'] !== undefined) return { count: num(so['count'], sc.at('count'), 0, Number.MAX_SAFE_INTEGER, true) };
        return { percent: num(so['percent'], sc.at('percent'), 0, 100) };
      });
      if (stages.length === 0) c.at('stages').fail('expected at least one stage');
      return {
        atMs,
        op,
        name,
        release: release(),
        stages,
        ...(o['successThreshold'] === undefined ? {} : { successThreshold: num(o['successThreshold'], c.at('successThreshold'), 0, 1) }),
        ...(o['maxFailureRatio'] === undefined ? {} : { maxFailureRatio: num(o['maxFailureRatio'], c.at('maxFailureRatio'), 0, 1) }),
        ...(o['deviceTimeoutMs'] === undefined ? {} : { deviceTimeoutMs: num(o['deviceTimeoutMs'], c.at('deviceTimeoutMs'), 1, Number.MAX_SAFE_INTEGER, true) }),
      };
    }
    case 'pause':
    case 'resume':
    case 'abort': {
      known(o, ['atMs', 'op', 'rollout'], c);
      const rollout = str(o['rollout'], c.at('rollout'));
      if (!rollouts.has(rollout)) c.at('rollout').fail(`no earlier rollout step named "${rollout}"`);
      return { atMs, op, rollout };
    }
    case 'server.restart':
      known(o, ['atMs', 'op', 'downMs'], c);
      return { atMs, op, ...(o['downMs'] === undefined ? {} : { downMs: num(o['downMs'], c.at('downMs'), 0) }) };
  }
}

/** Validates a parsed scenario file. Throws SW_ERR_SIM_SCENARIO_INVALID with the field's path. */
export function parseScenario(input: unknown): Scenario {
  const c = new Checker('$');
  const o = obj(input, c);
  known(o, ['name', 'description', 'seed', 'devices', 'durationMs', 'pollSleepSec', 'pollJitterPct', 'releases', 'networks', 'groups', 'faults', 'operator', 'target'], c);
  const releasesIn = obj(o['releases'], c.at('releases'));
  const releases: Record<string, ReleaseSpec> = {};
  for (const [name, r] of Object.entries(releasesIn)) {
    const rc = c.at('releases').at(name);
    const ro = obj(r, rc);
    known(ro, ['version', 'payloadBytes', 'sampleIntervalMs', 'faults'], rc);
    const version = str(ro['version'], rc.at('version'));
    if (!/^\d+\.\d+\.\d+$/.test(version)) rc.at('version').fail(`expected MAJOR.MINOR.REVISION, got ${describe(version)}`);
    releases[name] = {
      version,
      payloadBytes: num(ro['payloadBytes'], rc.at('payloadBytes'), 64, 1 << 24, true),
      ...(ro['sampleIntervalMs'] === undefined ? {} : { sampleIntervalMs: num(ro['sampleIntervalMs'], rc.at('sampleIntervalMs'), 1000, Number.MAX_SAFE_INTEGER, true) }),
      ...(ro['faults'] === undefined ? {} : { faults: readFaults(ro['faults'], rc.at('faults')) }),
    };
  }
  if (Object.keys(releases).length === 0) c.at('releases').fail('expected at least one release');
  const networksIn = obj(o['networks'], c.at('networks'));
  const networks: Record<string, LinkSpec> = {};
  for (const [name, n] of Object.entries(networksIn)) networks[name] = readLink(n, c.at('networks').at(name));
  const groups = arr(o['groups'], c.at('groups')).map((g, i): DeviceGroup => {
    const gc = c.at('groups').at(i);
    const go = obj(g, gc);
    known(go, ['share', 'profile', 'network', 'board', 'release', 'overrides'], gc);
    const network = str(go['network'], gc.at('network'));
    if (networks[network] === undefined) gc.at('network').fail(`no network named "${network}" in networks`);
    const board = str(go['board'] ?? 'scratch-128k', gc.at('board'));
    if (BOARD_PRESETS[board] === undefined) gc.at('board').fail(`unknown board preset "${board}" (known: ${Object.keys(BOARD_PRESETS).join(', ')})`);
    const release = str(go['release'], gc.at('release'));
    if (releases[release] === undefined) gc.at('release').fail(`no release named "${release}" in releases`);
    const overrides = opt(go, 'overrides', gc, readOverrides);
    const profile = oneOf(go['profile'], gc.at('profile'), Object.keys(CLIENT_PROFILES) as ProfileName[]);
    if (profile === 'slotwise' && overrides?.persistProgress === true) {
      gc.at('overrides').at('persistProgress').fail('the slotwise device keeps download progress in RAM only (device.md §15.6); it cannot persist it');
    }
    return {
      share: num(go['share'] ?? 1, gc.at('share'), 0),
      profile,
      network,
      board,
      release,
      ...(overrides === undefined ? {} : { overrides }),
    };
  });
  if (groups.length === 0 || groups.every((g) => g.share === 0)) c.at('groups').fail('expected at least one group with a positive share');
  let faults: FaultSpec | undefined;
  if (o['faults'] !== undefined) {
    const fc = c.at('faults');
    const fo = obj(o['faults'], fc);
    known(fo, ['powerCuts'], fc);
    if (fo['powerCuts'] !== undefined) {
      const pc = fc.at('powerCuts');
      const po = obj(fo['powerCuts'], pc);
      known(po, ['share', 'during', 'offMs'], pc);
      const during = arr(po['during'], pc.at('during')).map((p, i) => oneOf(p, pc.at('during').at(i), ['download', 'swap', 'recovery'] as const));
      faults = { powerCuts: { share: num(po['share'], pc.at('share'), 0, 1), during, ...(po['offMs'] === undefined ? {} : { offMs: num(po['offMs'], pc.at('offMs'), 0) }) } };
    } else faults = {};
  }
  const rollouts = new Set<string>();
  const operator = arr(o['operator'], c.at('operator')).map((s, i) => readStep(s, c.at('operator').at(i), releasesIn, rollouts));
  for (let i = 1; i < operator.length; i++) {
    if (operator[i]!.atMs < operator[i - 1]!.atMs) c.at('operator').at(i).at('atMs').fail('operator steps must be in time order');
  }
  const target = opt(o, 'target', c, str);
  if (target !== undefined && releases[target] === undefined) c.at('target').fail(`no release named "${target}" in releases`);
  return {
    name: str(o['name'], c.at('name')),
    ...(o['description'] === undefined ? {} : { description: str(o['description'], c.at('description')) }),
    seed: num(o['seed'] ?? 1, c.at('seed'), 0, 0xffff_ffff, true),
    devices: num(o['devices'], c.at('devices'), 1, 10_000_000, true),
    durationMs: num(o['durationMs'], c.at('durationMs'), 1),
    pollSleepSec: num(o['pollSleepSec'] ?? 300, c.at('pollSleepSec'), 1, 86_399, true),
    ...(o['pollJitterPct'] === undefined ? {} : { pollJitterPct: num(o['pollJitterPct'], c.at('pollJitterPct'), 0, 50, true) }),
    releases,
    networks,
    groups,
    ...(faults === undefined ? {} : { faults }),
    operator,
    ...(target === undefined ? {} : { target }),
  };
}

/** The release name the report counts as "updated": `target`, else the last rollout's. */
export function targetRelease(s: Scenario): string | null {
  if (s.target !== undefined) return s.target;
  for (let i = s.operator.length - 1; i >= 0; i--) {
    const step = s.operator[i]!;
    if (step.op === 'rollout') return step.release;
  }
  return null;
}
