/**
 * Fleet simulation speed (issue 6): wall time and peak memory (RSS, heap) of the happy rollout
 * for 1 000 and 10 000 devices, each run in its own process so peak RSS is that run's alone.
 * 100 000 devices is opt-in: `node --import tsx bench/fleet.bench.ts 100000` (goals: 10 000 in
 * ≤ 60 s wall here, 100 000 within 4 GiB). The figures come from the report: virtual time,
 * requests served through the real server (inject + SQLite), and requests per wall second.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseScenario } from '@slotwise/core/fleet/index';
import { runScenario } from '../packages/server/src/sim/run-scenario.js';

const scenarioFile = fileURLToPath(new URL('../examples/happy-rollout.json', import.meta.url));

async function child(devices: number): Promise<void> {
  const scenario = parseScenario(JSON.parse(readFileSync(scenarioFile, 'utf8')));
  let peakRss = 0;
  let peakHeap = 0;
  let peakBuffers = 0;
  const sample = (): void => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakBuffers = Math.max(peakBuffers, m.arrayBuffers);
  };
  const t = performance.now();
  const cpu0 = process.cpuUsage();
  const r = await runScenario(scenario, { devices, checkBootable: false, onProgress: sample });
  sample();
  const wall = (performance.now() - t) / 1000;
  const c = process.cpuUsage(cpu0);
  const cpu = (c.user + c.system) / 1e6;
  const mib = (n: number): string => `${(n / 1048576).toFixed(0)} MiB`;
  console.log(
    `${String(devices).padStart(7)} devices: ${wall.toFixed(1)} s wall (${cpu.toFixed(1)} s CPU; the machine is shared), peak RSS ${mib(peakRss)}, peak heap ${mib(peakHeap)}, peak array buffers ${mib(peakBuffers)} (end ${mib(process.memoryUsage().arrayBuffers)}); ` +
      `${(r.virtualMs / 3_600_000).toFixed(2)} h virtual, ${r.requests} requests (${Math.round(r.requests / wall)}/s wall), ` +
      `updated ${r.outcomes.updated}/${r.devices}, bricked ${r.outcomes.bricked}, digest ${r.digest}`,
  );
}

const arg = process.argv[2];
if (arg !== undefined) await child(Number(arg));
else {
  for (const n of [1_000, 10_000]) {
    const r = spawnSync(process.execPath, ['--max-old-space-size=4096', '--import', 'tsx', fileURLToPath(import.meta.url), String(n)], { stdio: 'inherit' });
    if (r.status !== 0) process.exitCode = 1;
  }
  console.log('100 000 devices: opt-in, run `node --import tsx bench/fleet.bench.ts 100000`');
}
