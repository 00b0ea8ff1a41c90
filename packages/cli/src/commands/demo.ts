/**
 * @module commands/demo
 * `slotwise demo` (= `npm start`): the whole system live. Starts the server on embedded
 * defaults (SQLite in ./data/demo, 127.0.0.1, port 8080 or the next free one), builds and
 * signs firmware v1.0.0 / v1.1.0 / v1.2.0, registers a simulated fleet that talks real HTTP at
 * an accelerated clock (some devices with faults), rolls out v1.1.0 to the field group in
 * stages (canary → 50 % → 100 %), then v1.2.0, which auto-pauses when its canaries roll back.
 * The lab group stays on v1.0.0 for the operator. Prints the dashboard URL and the admin key;
 * runs until Ctrl-C / SIGTERM, then stops the devices, flushes and closes the store.
 *
 * The data directory is reset at every start (it holds a marker file, so nothing else is ever
 * deleted): simulated flash lives in memory and cannot resume where the last run stopped.
 */
import { dirname, join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRandom } from '@slotwise/core';
import { nodeCrypto } from '@slotwise/core/node/crypto';
import { createFetchTransport } from '@slotwise/server/transport/fetch-transport';
import { ExitCode } from '../exit-codes.js';
import { createSimDevice, type SimDevice } from '../demo/sim-device.js';
import { createRealTimeFleet } from '../demo/real-time-fleet.js';
import { buildDemoFirmware, planFleet, prepareDataDir, seedReleases, startDemoServer } from '../demo/setup.js';

const HELP = `Usage: slotwise demo [options]

Runs the update server with a simulated fleet and the dashboard, until Ctrl-C.

Options:
  --speed N      virtual seconds per real second (default 10: the story takes about two minutes)
  --devices N    fleet size, 3..500 (default 50)
  --port N       first port to try (default 8080; the next free one is used; 0: any free port)
  --host ADDR    address to listen on (default 127.0.0.1)
  --data DIR     demo data directory, reset at every start (default ./data/demo)
  --seed N       fault plan seed (default 1)
  --no-rollouts  do not start the v1.1.0 / v1.2.0 rollouts automatically
  -h, --help     this text
`;

function dashboardDir(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  const dir = resolve(here, '../../../dashboard/dist');
  return existsSync(join(dir, 'index.html')) ? dir : null;
}

function intOption(name: string, raw: string | undefined, def: number, min: number, max: number): number {
  if (raw === undefined) return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new RangeError(`--${name}: expected an integer in ${min}..${max}, got '${raw}'`);
  return n;
}

export async function run(args: string[]): Promise<number> {
  let opts: DemoOptions;
  try {
    const { values } = parseArgs({
      args,
      options: {
        speed: { type: 'string' },
        devices: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        data: { type: 'string' },
        seed: { type: 'string' },
        'no-rollouts': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
    if (values.help === true) {
      process.stdout.write(HELP);
      return ExitCode.OK;
    }
    opts = {
      speed: intOption('speed', values.speed, 10, 1, 10_000),
      devices: intOption('devices', values.devices, 50, 3, 500),
      port: intOption('port', values.port, 8080, 0, 65_535),
      host: values.host ?? '127.0.0.1',
      data: resolve(values.data ?? 'data/demo'),
      seed: intOption('seed', values.seed, 1, 0, 0x7fff_ffff),
      rollouts: values['no-rollouts'] !== true,
    };
  } catch (error) {
    process.stderr.write(`slotwise demo: ${error instanceof Error ? error.message : String(error)}\n${HELP}`);
    return ExitCode.USAGE;
  }

  // Listen for Ctrl-C / SIGTERM from the start: a signal during set-up still ends in a clean
  // shutdown (without a listener, the default action would kill the process mid-write).
  let stopSignal: NodeJS.Signals | null = null;
  let onSignal: ((s: NodeJS.Signals) => void) | null = null;
  const handler = (s: NodeJS.Signals): void => {
    if (stopSignal !== null) process.exit(ExitCode.INTERNAL); // a second signal while shutting down exits at once
    stopSignal = s;
    onSignal?.(s);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  try {
    return await runDemo(opts, () => (stopSignal !== null ? Promise.resolve(stopSignal) : new Promise<NodeJS.Signals>((resolve) => (onSignal = resolve))));
  } finally {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  }
}

interface DemoOptions {
  speed: number;
  devices: number;
  port: number;
  host: string;
  data: string;
  seed: number;
  rollouts: boolean;
}

async function runDemo(opts: DemoOptions, stopped: () => Promise<NodeJS.Signals>): Promise<number> {
  const prepared = prepareDataDir(opts.data);
  if (!prepared.ok) {
    process.stderr.write(`slotwise demo: ${prepared.reason}\n`);
    return ExitCode.BAD_INPUT;
  }
  const say = (line: string): void => void process.stdout.write(`${line}\n`);
  const dash = dashboardDir();
  const server = await startDemoServer(opts.data, dash);
  const { app, store } = server;

  let port = opts.port;
  for (;;) {
    try {
      await app.listen({ host: opts.host, port });
      break;
    } catch (error) {
      if ((error as { code?: string }).code !== 'EADDRINUSE' || port === 0 || port >= opts.port + 50 || port >= 65_535) {
        process.stderr.write(`slotwise demo: cannot listen on ${opts.host}:${port}: ${error instanceof Error ? error.message : String(error)}\n`);
        await app.close();
        await store.close();
        return ExitCode.UNAVAILABLE;
      }
      port++;
    }
  }
  const address = app.server.address();
  if (address !== null && typeof address === 'object') port = address.port;
  const base = `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}`;

  const builds = buildDemoFirmware(opts.data);
  const releases = await seedReleases(server, builds);
  const services = app.slotwise.services;
  const wallStart = Date.now();
  const random = createRandom(opts.seed);
  const plans = planFleet(opts.devices, random.fork('fleet'), wallStart);
  const transport = createFetchTransport(base);
  const wallOf = (virtualMs: number): number => wallStart + (virtualMs - wallStart) / opts.speed;
  const devices: SimDevice[] = [];
  for (const [i, p] of plans.entries()) {
    const rec = await services.devices.register('DEFAULT', { controllerId: p.controllerId, group: p.group, tags: ['sim', ...(p.labels.length > 0 ? ['faulty'] : [])], attributes: { board: 'demo-nor', faults: p.labels.join('; ') || 'none' }, runningVersion: '1.0.0' }, 'demo');
    devices.push(
      createSimDevice({
        controllerId: p.controllerId,
        token: rec.token,
        tenant: 'DEFAULT',
        factoryImage: p.crashLoop ? builds.v100crash.image : builds.v100.image,
        bootConfig: builds.bootConfig,
        crypto: nodeCrypto,
        transport,
        random: random.fork(p.controllerId),
        // Devices power on staggered over the first virtual minute, as a real fleet would.
        startMs: wallStart + Math.floor((i * 60_000) / plans.length),
        wallOf,
        swapReplayWallMs: 3_000,
        faults: p.faults,
        labels: p.labels,
      }),
    );
  }

  let postErrors = 0;
  const auth = (d: SimDevice) => ({ authorization: `TargetToken ${d.token}`, 'content-type': 'application/json' });
  const fleet = createRealTimeFleet({
    devices,
    speed: opts.speed,
    virtualStartMs: wallStart,
    wallStartMs: wallStart,
    now: () => Date.now(),
    async post(d, r) {
      try {
        if (r.events.length > 0 || r.slots !== null) {
          const res = await fetch(`${base}/api/v1/twin`, { method: 'POST', headers: auth(d), body: JSON.stringify({ ...(r.events.length > 0 ? { events: r.events } : {}), ...(r.slots === null ? {} : { slots: r.slots }) }) });
          if (!res.ok) postErrors++;
        }
        if (r.samples.length > 0) {
          const res = await fetch(`${base}/api/v1/samples`, { method: 'POST', headers: auth(d), body: JSON.stringify(r.samples) });
          if (!res.ok) postErrors++;
        }
      } catch {
        postErrors++;
      }
    },
    onDeviceError(d, error) {
      process.stderr.write(`slotwise demo: device ${d.controllerId} stopped: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    },
  });

  say('');
  say(`Slotwise demo — ${devices.length} simulated devices at ${opts.speed}× (${prepared.reset ? 'previous demo data reset' : 'fresh data directory'}: ${opts.data})`);
  say('');
  say(`  Dashboard  ${base}/#key=${server.adminKey}`);
  say(`  Admin key  ${server.adminKey}`);
  say(`  API docs   ${base}/docs`);
  if (dash === null) say('  (the dashboard is not built: run `npm install` at the repository root; the API works without it)');
  say('');
  say('Faults: ' + plans.filter((p) => p.labels.length > 0).map((p) => `${p.controllerId} (${p.labels.join(', ')})`).join('; '));
  say('Press Ctrl-C to stop.');
  say('');
  fleet.start();

  const timers: NodeJS.Timeout[] = [];
  timers.push(setInterval(() => void app.slotwise.flushLastSeen().catch(() => undefined), 2_000));
  timers.push(setInterval(() => void app.slotwise.sweep().catch(() => undefined), 1_000));

  // The story: v1.1.0 to the field group in stages, then v1.2.0, which pauses on its canaries.
  const virtualMinutes = (): number => (fleet.virtualNowMs() - wallStart) / 60_000;
  const deviceTimeoutMs = Math.max(15_000, Math.round(3_600_000 / opts.speed));
  let phase: 'warmup' | 'v110' | 'v120' | 'done' = opts.rollouts ? 'warmup' : 'done';
  let rolloutId = 0;
  let lastLine = '';
  const story = async (): Promise<void> => {
    if (phase === 'warmup' && virtualMinutes() >= 3) {
      const r = await services.rollouts.create('DEFAULT', { name: 'sensor-fw 1.1.0 (field)', releaseId: releases.v110, filter: { group: 'field' }, stages: [{ count: 3 }, { percent: 50 }, { percent: 100 }], successThreshold: 0.75, maxFailureRatio: 0.3, deviceTimeoutMs }, 'demo');
      rolloutId = r.id;
      phase = 'v110';
      say(`[demo] rollout ${r.id}: sensor-fw 1.1.0 to the field group — canary (3) → 50 % → 100 %`);
    }
    if (phase === 'v110' || phase === 'v120') {
      const s = await services.rollouts.summary('DEFAULT', rolloutId);
      const done = s.stages.reduce((n, x) => n + x.succeeded, 0);
      const back = s.stages.reduce((n, x) => n + x.rolledBack, 0);
      const line = `[demo] rollout ${rolloutId} ${s.rollout.state}, stage ${s.rollout.currentStage + 1}/${s.stages.length}: ${done} updated, ${back} rolled back${s.rollout.reason === null ? '' : ` (${s.rollout.reason})`}`;
      if (line !== lastLine) say((lastLine = line));
      if (phase === 'v110' && s.rollout.state !== 'running') {
        const r = await services.rollouts.create('DEFAULT', { name: 'sensor-fw 1.2.0 (field)', releaseId: releases.v120, filter: { group: 'field' }, stages: [{ count: 2 }, { percent: 50 }, { percent: 100 }], successThreshold: 1, maxFailureRatio: 0.2, deviceTimeoutMs }, 'demo');
        rolloutId = r.id;
        phase = 'v120';
        say(`[demo] rollout ${r.id}: sensor-fw 1.2.0 to the field group — its image fails the health check; watch the canaries roll back`);
      } else if (phase === 'v120' && s.rollout.state !== 'running') {
        phase = 'done';
        say('[demo] the lab group is still on 1.0.0: create a rollout for it from the Rollouts page.');
      }
    }
  };
  let storyBusy = false;
  timers.push(
    setInterval(() => {
      if (storyBusy) return;
      storyBusy = true;
      story()
        .catch((error: unknown) => say(`[demo] rollout step failed: ${error instanceof Error ? error.message : String(error)}`))
        .finally(() => (storyBusy = false));
    }, 500),
  );

  const signal = await stopped();
  say(`\n[demo] ${signal}: stopping the devices, flushing and closing the store…`);
  for (const t of timers) clearInterval(t);
  await fleet.stop();
  while (storyBusy) await new Promise((r) => setTimeout(r, 20));
  await app.close();
  await store.close();
  say(`[demo] stopped cleanly (${fleet.ticks} ticks, ${fleet.lateTicks} late, ${postErrors} report posts failed). The next start resets ${opts.data}.`);
  return ExitCode.OK;
}
