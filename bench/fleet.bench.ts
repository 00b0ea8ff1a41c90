/**
 * Fleet simulation speed (issue 6): wall time, CPU time and peak memory (RSS, heap) of the
 * happy rollout for 1 000 and 10 000 devices, each run in its own process so peak RSS is that
 * run's alone (with a 4 GiB heap limit). 100 000 devices is opt-in, as it takes several
 * minutes: `node --import tsx bench/fleet.bench.ts --all` runs all three sizes.
 * Goals: 10 000 devices in ≤ 60 s wall on the 2-core dev machine, 100 000 within 4 GiB RSS.
 * The machine is shared, so each line carries the load average before and after the run.
 * The figures come from the report: virtual time, requests served through the real server
 * (inject + SQLite), and requests per wall second.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseScenario } from '@slotwise/core/fleet/index';
import { runScenario } from '../packages/server/src/sim/run-scenario.js';

const scenarioFile = fileURLToPath(new URL('../examples/happy-rollout.json', import.meta.url));

async function child(devices: number): Promise<void> {
  const scenario = parseScenario(JSON.parse(readFileSync(scenarioFile, 'utf8')));
  let peakRss = 0;
  let peakHeap = 0;
  let peakBuffers = 0;
  let nextReport = 0.1;
  const t = performance.now();
  const sample = (p: { virtualMs: number; durationMs: number; updated: number }): void => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakBuffers = Math.max(peakBuffers, m.arrayBuffers);
    // Long runs say how far they are (stderr, so the result line stays alone on stdout).
    if (devices >= 50_000 && p.updated / devices >= nextReport) {
      nextReport += 0.1;
      process.stderr.write(`  … ${p.updated}/${devices} updated at ${(p.virtualMs / 60_000).toFixed(0)} virtual min, ${((performance.now() - t) / 1000).toFixed(0)} s wall, RSS ${(m.rss / 1048576).toFixed(0)} MiB\n`);
    }
  };
  const load0 = loadavg()[0]!;
  const cpu0 = process.cpuUsage();
  const r = await runScenario(scenario, { devices, checkBootable: false, onProgress: sample });
  sample({ virtualMs: r.virtualMs, durationMs: r.virtualMs, updated: 0 });
  const wall = (performance.now() - t) / 1000;
  const c = process.cpuUsage(cpu0);
  const cpu = (c.user + c.system) / 1e6;
  const mib = (n: number): string => `${(n / 1048576).toFixed(0)} MiB`;
  console.log(
    `${String(devices).padStart(7)} devices: ${wall.toFixed(1)} s wall, ${cpu.toFixed(1)} s CPU (load average ${load0.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}), ` +
      `peak RSS ${mib(peakRss)}, peak heap ${mib(peakHeap)}, peak array buffers ${mib(peakBuffers)}; ` +
      `${(r.virtualMs / 3_600_000).toFixed(2)} h virtual, ${r.requests} requests (${Math.round(r.requests / wall)}/s wall), ` +
      `updated ${r.outcomes.updated}/${r.devices}, bricked ${r.outcomes.bricked}, digest ${r.digest}`,
  );
}

const arg = process.argv[2];
if (arg !== undefined && arg !== '--all') await child(Number(arg));
else {
  const sizes = arg === '--all' ? [1_000, 10_000, 100_000] : [1_000, 10_000];
  for (const n of sizes) {
    const r = spawnSync(process.execPath, ['--max-old-space-size=4096', '--import', 'tsx', fileURLToPath(import.meta.url), String(n)], { stdio: 'inherit' });
    if (r.status !== 0) process.exitCode = 1;
  }
  if (arg !== '--all') console.log('100 000 devices: opt-in (several minutes): node --import tsx bench/fleet.bench.ts --all');
}
