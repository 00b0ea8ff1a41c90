/**
 * @module demo/setup
 * What `slotwise demo` prepares before anything runs: the data directory (reset deliberately —
 * simulated flash lives in memory, so a fleet cannot resume where the last run stopped), the
 * server on embedded defaults (SQLite + blob files in the data directory), an admin key, an
 * Ed25519 signing key, firmware builds v1.0.0 (installed), v1.1.0 (good), v1.2.0 (fails its
 * health check) and a crash-looping v1.0.0 variant, their releases, and the fleet's devices
 * with their fault plan.
 */
import { createPublicKey } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createRandom, type Random } from '@slotwise/core';
import { nodeCrypto } from '@slotwise/core/node/crypto';
import { generateKeyPem } from '@slotwise/core/node/key-files';
import { systemClock } from '@slotwise/core/node/system';
import { loadKey, type ImagePrivateKey } from '@slotwise/core/image/keys';
import { createSlotValidator } from '@slotwise/core/image/slot-validator';
import { buildFirmwareImage, type FirmwareFaults } from '@slotwise/core/device/firmware';
import type { FaultWindow } from '@slotwise/core/device/faults';
import type { BootConfig } from '@slotwise/core/boot/config';
import { buildApp } from '@slotwise/server/app';
import { createFsBlobStore } from '@slotwise/server/blob/blob-store';
import { createIdGenerator } from '@slotwise/server/service/context';
import { createImageInspector } from '@slotwise/server/service/image-inspector';
import { defaultTenant } from '@slotwise/server/service/tenants';
import { openSqliteStore } from '@slotwise/server/store/sqlite/sqlite-store';
import type { Store } from '@slotwise/server/store/store';
import type { SimDeviceFaults } from './sim-device.js';

/** The file that marks a directory as the demo's own, so a reset never deletes anything else. */
export const DEMO_MARKER = '.slotwise-demo';

export type PrepareResult = { ok: true; reset: boolean } | { ok: false; reason: string };

/** Empties `dir` if it is a previous demo's (marker present) and creates it with the marker. */
export function prepareDataDir(dir: string): PrepareResult {
  let reset = false;
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    if (!existsSync(join(dir, DEMO_MARKER))) return { ok: false, reason: `${dir} exists and is not a demo data directory (no ${DEMO_MARKER}); choose another with --data` };
    rmSync(dir, { recursive: true, force: true });
    reset = true;
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, DEMO_MARKER), 'This directory belongs to `slotwise demo`, which empties it at every start.\n');
  return { ok: true, reset };
}

export interface DemoServer {
  app: FastifyInstance;
  store: Store;
  adminKey: string;
}

export async function startDemoServer(dir: string, dashboardDir: string | null): Promise<DemoServer> {
  const store = openSqliteStore(join(dir, 'slotwise.db'));
  await store.migrate();
  const random = createRandom(Number(BigInt.asUintN(31, BigInt(systemClock.nowMs()))));
  const app = await buildApp({
    store,
    blobs: createFsBlobStore(join(dir, 'artifacts')),
    clock: systemClock,
    random,
    ids: createIdGenerator(random.fork('ids')),
    inspectImage: createImageInspector(),
    logger: { level: 'warn' },
    config: { publicUrl: null, dashboardDir, keepAliveTimeoutMs: 10_000 },
  });
  const { key } = await app.slotwise.services.apiKeys.create('demo', 'demo');
  return { app, store, adminKey: key };
}

export interface DemoFirmware {
  version: string;
  filename: string;
  image: Uint8Array;
}

export interface DemoBuilds {
  key: ImagePrivateKey;
  publicPem: string;
  v100: DemoFirmware;
  v110: DemoFirmware;
  v120: DemoFirmware;
  /** v1.0.0 with a crash 45 s after every boot (the crash-looping device's factory image). */
  v100crash: DemoFirmware;
  bootConfig: BootConfig;
}

const SAMPLE_INTERVAL_MS = 30_000;

export function buildDemoFirmware(dir: string): DemoBuilds {
  const pem = generateKeyPem('ed25519');
  writeFileSync(join(dir, 'demo-signing-key.pem'), pem, { mode: 0o600 });
  const key = loadKey(pem, nodeCrypto) as ImagePrivateKey;
  const publicPem = createPublicKey(pem).export({ type: 'spki', format: 'pem' }).toString();
  mkdirSync(join(dir, 'firmware'), { recursive: true });
  const build = (version: string, payloadSizeBytes: number, faults: FirmwareFaults, filename: string): DemoFirmware => {
    const image = buildFirmwareImage({ descriptor: { version, sampleIntervalMs: SAMPLE_INTERVAL_MS, faults }, key, payloadSizeBytes }, nodeCrypto).image;
    writeFileSync(join(dir, 'firmware', filename), image);
    return { version, filename, image };
  };
  const validator = createSlotValidator({ crypto: nodeCrypto, keys: key });
  return {
    key,
    publicPem,
    v100: build('1.0.0', 40_000, {}, 'sensor-fw-1.0.0.signed.bin'),
    v110: build('1.1.0', 56_000, {}, 'sensor-fw-1.1.0.signed.bin'),
    v120: build('1.2.0', 60_000, { sensorInitFails: true }, 'sensor-fw-1.2.0.signed.bin'),
    v100crash: build('1.0.0', 40_000, { crashAfterMs: 45_000 }, 'sensor-fw-1.0.0-crashloop.signed.bin'),
    bootConfig: { mode: 'swap-scratch', bootMaxAlign: 8, maxImgSectors: 32, validatePrimarySlot: false, validator },
  };
}

export interface DemoReleases {
  v100: number;
  v110: number;
  v120: number;
}

/** Trusts the demo key, sets a 60 s poll, uploads the three builds and creates their releases. */
export async function seedReleases(server: DemoServer, builds: DemoBuilds): Promise<DemoReleases> {
  const s = server.app.slotwise.services;
  await s.tenants.put({ ...defaultTenant('DEFAULT'), trustedKeys: [builds.publicPem], pollSleepSec: 60, pollJitterPct: 10 }, 'demo');
  const release = async (fw: DemoFirmware): Promise<number> => {
    const { artifact } = await s.artifacts.upload('DEFAULT', fw.image, fw.filename, 'demo');
    return (await s.releases.create('DEFAULT', { name: 'sensor-fw', version: fw.version, artifacts: [{ sha256: artifact.sha256, filename: fw.filename }] }, 'demo')).id;
  };
  return { v100: await release(builds.v100), v110: await release(builds.v110), v120: await release(builds.v120) };
}

export interface DemoDevicePlan {
  controllerId: string;
  group: 'field' | 'lab';
  labels: string[];
  crashLoop: boolean;
  faults: SimDeviceFaults;
}

/** Flaky link: connection drops and 5xx answers in recurring windows of virtual time. */
function flakyWindows(random: Random, startMs: number): FaultWindow[] {
  const out: FaultWindow[] = [];
  let t = startMs + 60_000 + random.below(300_000);
  const end = startMs + 7 * 24 * 3_600_000;
  while (t < end) {
    const len = 60_000 + random.below(240_000);
    out.push({ fault: random.below(2) === 0 ? { kind: 'connection.drop' } : { kind: 'http.5xx', only: 'ddi' }, fromMs: t, untilMs: t + len });
    t += len + 300_000 + random.below(900_000);
  }
  return out;
}

/**
 * The fleet: `count` devices, the last quarter (at least 2) in group `lab` (left on v1.0.0 for
 * the operator's own rollout), the rest in `field`. The field's first devices (the canaries)
 * are healthy; faults go to later ones: flaky links, a power cut mid-download, one mid-swap,
 * and one crash-looping device.
 */
export function planFleet(count: number, random: Random, startMs: number): DemoDevicePlan[] {
  const lab = Math.max(2, Math.floor(count / 4));
  const field = Math.max(1, count - lab);
  const plans: DemoDevicePlan[] = [];
  for (let i = 0; i < count; i++) {
    const isField = i < field;
    const n = isField ? i + 1 : i - field + 1;
    plans.push({ controllerId: `${isField ? 'field' : 'lab'}-${String(n).padStart(3, '0')}`, group: isField ? 'field' : 'lab', labels: [], crashLoop: false, faults: {} });
  }
  const faulty = plans.filter((p) => p.group === 'field').slice(4);
  const take = (): DemoDevicePlan | undefined => faulty.splice(random.below(Math.max(1, faulty.length)), 1)[0];
  const cutDl = take();
  if (cutDl !== undefined) {
    cutDl.faults.cutMidDownloadAfterWrites = 6;
    cutDl.labels.push('power cut mid-download');
  }
  const cutSwap = take();
  if (cutSwap !== undefined) {
    cutSwap.faults.cutMidSwapAfterOps = 40;
    cutSwap.labels.push('power cut mid-swap');
  }
  const crash = take();
  if (crash !== undefined) {
    crash.crashLoop = true;
    crash.labels.push('crash loop (v1.0.0 build crashes 45 s after boot)');
  }
  const flaky = Math.max(1, Math.round(count * 0.15));
  for (let k = 0; k < flaky; k++) {
    const p = take();
    if (p === undefined) break;
    p.faults.network = flakyWindows(random.fork(p.controllerId), startMs);
    p.labels.push('flaky link');
  }
  return plans;
}
