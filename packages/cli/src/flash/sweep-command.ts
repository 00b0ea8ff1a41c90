/**
 * @module flash/sweep-command
 * `slotwise flash sweep`: power cuts at every operation of an upgrade (or revert) boot of the
 * user's two images on their layout, each followed by a recovery boot, judged by the boot
 * helper's sweep engine (core boot/sweep.ts). Prints the counts, names each MCUboot defect
 * with its cut points and how to avoid it, and exits FAILURE when any cut leaves a device that
 * does not boot the right image (an MCUboot defect included: the device would be bricked).
 * The sweep runs in chunks of cut points so a terminal can show progress.
 */
import { openFlashArea } from '@slotwise/core/flash/flash-area';
import { boot } from '@slotwise/core/boot/loader';
import { setPending } from '@slotwise/core/boot/public-api';
import { sweepStep, type SweepIssue, type SweepIssueKind, type SweepReport } from '@slotwise/core/boot/sweep';
import { createRandom } from '@slotwise/core/sim/random';
import { ExitCode } from '../exit-codes.js';
import type { CommandIo } from '../image/io.js';
import { bootSetup } from './context.js';
import { buildDevice } from './create-command.js';

export type SweepScenario = 'test' | 'permanent' | 'revert';

export interface SweepOptions {
  readonly layout: string;
  readonly mode?: string;
  readonly key?: readonly string[];
  readonly primary: string;
  readonly secondary: string;
  readonly scenario: SweepScenario;
  readonly double?: boolean;
  readonly fixed?: boolean;
  readonly torn?: boolean;
  readonly random?: number | undefined;
  readonly seed?: number | undefined;
  readonly json?: boolean;
}

/** Cut points of the first chunk; later chunks are 1/50 of the sweep (each chunk re-runs the step once). */
const FIRST_CHUNK = 32;
const KINDS: readonly SweepIssueKind[] = ['brick', 'wrong-image', 'test-image-survives', 'nor-violation', 'mcuboot-defect'];

/** Adds `b` into `a` (cut points, outcomes, counts, issues). */
function merge(a: SweepReport | undefined, b: SweepReport): SweepReport {
  if (a === undefined) return b;
  const outcomes: Record<string, number> = { ...a.outcomes };
  for (const [k, v] of Object.entries(b.outcomes)) outcomes[k] = (outcomes[k] ?? 0) + v;
  const add = (x: Readonly<Record<SweepIssueKind, number>>, y: Readonly<Record<SweepIssueKind, number>>): Record<SweepIssueKind, number> =>
    Object.fromEntries(KINDS.map((k) => [k, x[k] + y[k]])) as Record<SweepIssueKind, number>;
  return {
    ...a,
    cutPoints: a.cutPoints + b.cutPoints,
    doubleCutPoints: a.doubleCutPoints + b.doubleCutPoints,
    tornPoints: a.tornPoints + b.tornPoints,
    randomRuns: a.randomRuns + b.randomRuns,
    outcomes,
    issues: [...a.issues, ...b.issues],
    counts: add(a.counts, b.counts),
    tornCounts: add(a.tornCounts, b.tornCounts),
    clean: a.clean && b.clean,
  };
}

function issueLine(i: SweepIssue): string {
  const where = i.cuts.length === 1 ? `cut at op ${i.cuts[0]}` : `cut at op ${i.cuts[0]}, then the recovery boot${i.cuts.length > 2 ? 's' : ''} cut at op ${i.cuts.slice(1).join(', ')}`;
  const label = i.kind === 'mcuboot-defect' ? 'MCUboot defect' : i.kind;
  return `  ${label}${i.torn ? ' (torn write)' : ''}: ${where}: ${i.detail}${i.avoid !== undefined ? `\n    avoid: ${i.avoid}` : ''}`;
}

export async function sweepCommand(o: SweepOptions, io: CommandIo): Promise<number> {
  const setup = bootSetup(io, o);
  const { flash } = buildDevice(io, setup, { primary: o.primary, secondary: o.secondary });
  const layout = { bootMaxAlign: setup.config.bootMaxAlign, maxImgSectors: setup.config.maxImgSectors, mode: setup.mode };
  setPending(openFlashArea(flash, 'secondary'), layout, o.scenario === 'permanent');
  // The revert scenario sweeps the boot after an unconfirmed test upgrade.
  if (o.scenario === 'revert') boot(flash, setup.config, { recordOps: false });
  const seed = o.seed ?? 1;
  const base = {
    config: setup.config,
    step: 'boot' as const,
    double: o.double === true,
    ...(o.torn === true ? { torn: { rngFor: (n: number) => createRandom(seed).fork(`torn-${n}`) } } : {}),
  };
  let report: SweepReport | undefined;
  let bar: { update(n: number): void; stop(): void; setTotal(n: number): void; start(total: number, value: number): void } | undefined;
  let chunk = FIRST_CHUNK;
  for (let from = 1; report === undefined || from <= report.totalOps; from += chunk) {
    if (report !== undefined) chunk = Math.max(FIRST_CHUNK, Math.ceil(report.totalOps / 50));
    const only = Array.from({ length: chunk }, (_, k) => from + k);
    const part = sweepStep(flash, { ...base, only, maxIssues: 200 });
    report = merge(report, part);
    if (from === 1 && io.isTty && part.totalOps > FIRST_CHUNK) {
      const { default: cliProgress } = await import('cli-progress');
      bar = new cliProgress.SingleBar({ format: 'sweep [{bar}] {value}/{total} cut points', hideCursor: true, clearOnComplete: true, stream: io.progressStream ?? process.stderr }, cliProgress.Presets.shades_classic);
      bar.start(part.totalOps, 0);
    }
    bar?.update(Math.min(from + chunk - 1, part.totalOps));
    // Let the terminal draw between chunks.
    if (bar !== undefined) await new Promise((resolve) => setImmediate(resolve));
  }
  bar?.stop();
  if (o.random !== undefined && o.random > 0) {
    report = merge(report, sweepStep(flash, { ...base, double: false, only: [], random: { runs: o.random, rng: createRandom(seed).fork('random') } }));
  }
  const r = report as SweepReport;
  const bricked = KINDS.some((k) => r.counts[k] > 0);
  if (o.json === true) {
    io.stdout(JSON.stringify({
      layout: setup.layout.name, mode: r.mode, fixed: r.fixed, scenario: o.scenario, seed,
      total_ops: r.totalOps, expected: r.expected, cut_points: r.cutPoints, double_cut_points: r.doubleCutPoints, torn_points: r.tornPoints, random_runs: r.randomRuns,
      outcomes: r.outcomes, counts: r.counts, torn_counts: r.tornCounts,
      issues: r.issues.map((i) => ({ kind: i.kind, cuts: i.cuts, torn: i.torn, detail: i.detail, ...(i.avoid !== undefined ? { avoid: i.avoid } : {}) })),
      clean: !bricked,
    }, null, 2) + '\n');
  } else {
    const lines = [
      `sweep: ${setup.layout.name}, ${r.mode}${r.fixed ? ' (fixed)' : ''}, ${o.scenario} scenario: the swept boot takes ${r.totalOps} flash operations and boots ${r.expected.version ?? r.expected.outcome} uninterrupted`,
      `  cut points: ${r.cutPoints}${r.doubleCutPoints > 0 ? `, double cuts: ${r.doubleCutPoints}` : ''}${r.tornPoints > 0 ? `, torn writes: ${r.tornPoints}` : ''}${r.randomRuns > 0 ? `, random multi-cut runs: ${r.randomRuns} (seed ${seed})` : ''}`,
      `  recovery outcomes: ${Object.entries(r.outcomes).map(([k, v]) => `${k} ×${v}`).join(', ')}`,
      `  bricks: ${r.counts.brick}, wrong image: ${r.counts['wrong-image']}, test image survives: ${r.counts['test-image-survives']}, NOR violations: ${r.counts['nor-violation']}, MCUboot defects: ${r.counts['mcuboot-defect']}`,
    ];
    const tornFindings = KINDS.reduce((n, k) => n + r.tornCounts[k], 0);
    if (r.tornPoints > 0) lines.push(`  after torn writes (MCUboot assumes atomic writes; not counted as failures): ${tornFindings} finding${tornFindings === 1 ? '' : 's'}`);
    if (r.issues.length > 0) lines.push('', 'Findings:', ...r.issues.map(issueLine));
    lines.push('', bricked ? 'Result: NOT SAFE: some power cuts leave a device that does not boot the right image.' : 'Result: safe: every power cut recovers to the expected image.');
    io.stdout(lines.join('\n') + '\n');
  }
  return bricked ? ExitCode.FAILURE : ExitCode.OK;
}
