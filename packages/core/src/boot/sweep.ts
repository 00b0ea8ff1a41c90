/**
 * @module boot/sweep
 * Power-cut sweeps over the twin (what MCUboot's sim/tests/core.rs does with its down-counter,
 * 7.3, without replaying: every cut restores a snapshot). For one step (a boot or an application
 * call) it cuts at every operation, powers up again and checks the invariants:
 *   - some valid image always boots (outcome ok) and it is the image the uninterrupted step
 *     would boot (a confirmed image is never lost, an upgrade or revert is finished);
 *   - in swap modes, a test image that is not confirmed never survives the next reboot;
 *   - no NOR rule is ever violated.
 * Options: double cuts (cut the recovery boot too, at every op), torn writes (the cut op lands
 * partially), seeded random multi-cut runs. A failure that disappears when the same cuts are
 * replayed with `fixed: true` is reported as an MCUboot defect (mcuboot.md §8), not as ours.
 */
import { isSlotwiseError } from '../errors.js';
import { openFlashArea } from '../flash/flash-area.js';
import type { FlashOp, FlashSnapshot, NorFlash, Random } from '../flash/nor-flash.js';
import { isPowerLoss } from '../flash/power-loss.js';
import { resolveBootConfig, type BootConfig } from './config.js';
import { boot, trailerLayoutOf, type BootResult } from './loader.js';
import { setConfirmed, setPending } from './public-api.js';

export type SweepStep = 'boot' | 'set-pending' | 'set-pending-permanent' | 'set-confirmed';

export interface SweepOptions {
  readonly config: BootConfig;
  readonly step: SweepStep;
  /** Also cut every recovery boot at each of its operations. */
  readonly double?: boolean;
  /** Also a torn-operation pass: at each op, the op lands partially with garbage from `rngFor(op)`. */
  readonly torn?: { readonly rngFor: (op: number) => Random };
  /** Seeded random runs of several cuts each (MCUboot's perm_with_random_fails). */
  readonly random?: { readonly runs: number; readonly rng: Random; readonly maxCuts?: number };
  /**
   * After a recovery that boots an unconfirmed test image, boot once more and require the revert
   * (default true; false measures exactly cut + recovery, as MCUboot's simulator does).
   */
  readonly checkRevert?: boolean;
  /** Only these first-cut points (1-based ops of the step); default every op. */
  readonly only?: readonly number[];
  /** Stop collecting issues after this many (the counts stay exact). */
  readonly maxIssues?: number;
}

export type SweepIssueKind = 'brick' | 'wrong-image' | 'test-image-survives' | 'nor-violation' | 'mcuboot-defect';

export interface SweepIssue {
  readonly kind: SweepIssueKind;
  /** The cut points: first cut, then the cut of the recovery boot(s). */
  readonly cuts: readonly number[];
  readonly torn: boolean;
  readonly detail: string;
  /** For MCUboot defects: how to avoid it. */
  readonly avoid?: string;
}

export interface SweepReport {
  readonly step: SweepStep;
  readonly mode: string;
  readonly fixed: boolean;
  /** Operations of the uninterrupted step. */
  readonly totalOps: number;
  /** What the uninterrupted step (plus one boot when the step is an application call) boots. */
  readonly expected: { readonly outcome: string; readonly version: string | undefined };
  readonly cutPoints: number;
  readonly doubleCutPoints: number;
  readonly tornPoints: number;
  readonly randomRuns: number;
  /** Recovery results by `outcome version`. */
  readonly outcomes: Readonly<Record<string, number>>;
  readonly issues: readonly SweepIssue[];
  /** Issues from clean power cuts (single, double, random). */
  readonly counts: Readonly<Record<SweepIssueKind, number>>;
  /**
   * Issues after torn operations. MCUboot assumes atomic operations, so these are findings about
   * the hardware assumption, not failures of the algorithm; they do not affect `clean`.
   */
  readonly tornCounts: Readonly<Record<SweepIssueKind, number>>;
  /** True when nothing but MCUboot defects (and torn-write effects, reported as issues) was found. */
  readonly clean: boolean;
}

/** How to stay clear of each mode's defects on a real device. */
const AVOID: Readonly<Record<string, string>> = {
  'swap-offset': 'use swap-move (or swap-scratch) for this layout, or ship a bootloader with the correction',
  'swap-scratch': 'use swap-move, or ship a bootloader with the correction; confirm test images early so no revert is needed',
  'swap-move': 'use swap-scratch, or ship a bootloader with the correction',
  'overwrite-only': 'use a swap mode, or ship a bootloader with the correction',
};

interface Attempt {
  readonly powerLoss: boolean;
  readonly violation?: string;
  readonly result?: BootResult;
}

function runStep(flash: NorFlash, step: SweepStep, config: BootConfig): Attempt {
  const cfg = resolveBootConfig(config);
  const layout = trailerLayoutOf(cfg);
  try {
    if (step === 'boot') return { powerLoss: false, result: boot(flash, config, { recordOps: false }) };
    if (step === 'set-confirmed') setConfirmed(openFlashArea(flash, cfg.areas.primary), layout);
    else setPending(openFlashArea(flash, cfg.areas.secondary), layout, step === 'set-pending-permanent');
    return { powerLoss: false };
  } catch (e) {
    if (isPowerLoss(e)) return { powerLoss: true };
    if (isSlotwiseError(e, 'SW_ERR_FLASH_NOR_VIOLATION')) return { powerLoss: false, violation: e.message };
    throw e;
  }
}

const bootOnce = (flash: NorFlash, config: BootConfig): Attempt => runStep(flash, 'boot', config);

/** Bytes of the image the primary holds (header + body + TLVs), for identity checks. */
function primaryImage(flash: NorFlash, config: BootConfig, r: BootResult | undefined): Uint8Array | undefined {
  if (r?.boot === undefined) return undefined;
  const cfg = resolveBootConfig(config);
  const pri = openFlashArea(flash, cfg.areas.primary);
  const h = pri.read(0, 16);
  const len = (h[8] as number) | ((h[9] as number) << 8);
  const img = ((h[12] as number) | ((h[13] as number) << 8) | ((h[14] as number) << 16) | ((h[15] as number) << 24)) >>> 0;
  return pri.read(0, Math.min(pri.size, len + img));
}

/** The refused op lands partially (torn write/erase), as the flash's torn fault does. */
function tearOp(flash: NorFlash, op: FlashOp, random: Random): void {
  flash.armTornWrite(1, random);
  try {
    if (op.op === 'write') flash.write(op.off, op.data as Uint8Array);
    else flash.erase(op.off, op.len);
  } catch (e) {
    if (!isPowerLoss(e)) throw e;
  } finally {
    flash.disarm();
  }
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Runs a power-cut sweep of `step` from the current content of `flash` (left as found). */
export function sweepStep(flash: NorFlash, options: SweepOptions): SweepReport {
  const config = options.config;
  const cfg = resolveBootConfig(config);
  const fixedConfig: BootConfig = { ...config, fixed: true };
  const maxIssues = options.maxIssues ?? 50;
  const start = flash.snapshot();
  const issues: SweepIssue[] = [];
  const zero = (): Record<SweepIssueKind, number> => ({ brick: 0, 'wrong-image': 0, 'test-image-survives': 0, 'nor-violation': 0, 'mcuboot-defect': 0 });
  const counts = zero();
  const tornCounts = zero();
  const outcomes: Record<string, number> = {};

  // The reference: the step uninterrupted (then one boot, for an application call). The state
  // after each of its ops is kept (copy-on-write, O(sectors) each): the state after a cut at op N
  // is the state after op N-1, so no cut is ever replayed.
  const after: FlashSnapshot[] = [start];
  const refOps: FlashOp[] = [];
  const stop = flash.observe((op) => {
    refOps.push(op.data !== undefined ? { ...op, data: op.data.slice() } : op);
    after.push(flash.snapshot());
  });
  const ref = runStep(flash, options.step, config);
  stop();
  const totalOps = refOps.length;
  const refBoot = options.step === 'boot' ? ref.result : bootOnce(flash, config).result;
  const expectedImage = primaryImage(flash, config, refBoot);
  const priOff = openFlashArea(flash, cfg.areas.primary).off;
  const expected = { outcome: refBoot?.outcome ?? 'none', version: refBoot?.boot?.version };

  const record = (issue: SweepIssue): void => {
    (issue.torn ? tornCounts : counts)[issue.kind]++;
    if (issues.length < maxIssues) issues.push(issue);
  };

  /**
   * Applies a list of cuts from `start` (each cut interrupts the next run: the step first,
   * then boots), then boots uninterrupted and judges the result. Returns the final attempt.
   */
  const judge = (cuts: readonly number[], torn: boolean, cfgUsed: BootConfig, report: boolean, reached?: FlashSnapshot): boolean => {
    if (reached !== undefined) flash.restore(reached);
    else if (cfgUsed === config && cuts.length === 1) {
      // Straight to the state after the cut: the step is deterministic.
      const n = cuts[0] as number;
      flash.restore(after[n - 1] as FlashSnapshot);
      if (torn && options.torn !== undefined) tearOp(flash, refOps[n - 1] as FlashOp, options.torn.rngFor(n));
    } else flash.restore(start);
    for (let i = reached !== undefined || (cfgUsed === config && cuts.length === 1) ? cuts.length : 0; i < cuts.length; i++) {
      if (torn && i === 0 && options.torn !== undefined) flash.armTornWrite(cuts[i] as number, options.torn.rngFor(cuts[i] as number));
      else flash.armPowerCut(cuts[i] as number);
      const a = runStep(flash, i === 0 ? options.step : 'boot', cfgUsed);
      flash.disarm();
      if (a.violation !== undefined) {
        if (report) record({ kind: 'nor-violation', cuts: cuts.slice(0, i + 1), torn, detail: a.violation });
        return false;
      }
      if (!a.powerLoss) break;
    }
    let rec = bootOnce(flash, cfgUsed);
    if (rec.violation !== undefined) {
      if (report) record({ kind: 'nor-violation', cuts, torn, detail: rec.violation });
      return false;
    }
    let r = rec.result as BootResult;
    const key = `${r.outcome} ${r.boot?.version ?? ''}`.trim();
    if (report) outcomes[key] = (outcomes[key] ?? 0) + 1;
    if (r.outcome !== 'ok') {
      if (report) record({ kind: 'brick', cuts, torn, detail: `recovery boot ended ${r.outcome}${r.assertion !== undefined ? ` (${r.assertion})` : ''}: no image boots` });
      return false;
    }
    if (expectedImage !== undefined && !flash.equalsAt(priOff, expectedImage)) {
      if (report) record({ kind: 'wrong-image', cuts, torn, detail: `recovery booted ${r.boot?.version}, the uninterrupted step boots ${expected.version}` });
      return false;
    }
    if (cfg.mode !== 'overwrite-only' && options.checkRevert !== false) {
      const t = r.trailers.primary;
      if (t.magic === 'good' && t.copyDone === 'set' && t.imageOk === 'unset') {
        const running = primaryImage(flash, cfgUsed, r);
        rec = bootOnce(flash, cfgUsed);
        r = rec.result as BootResult;
        if (rec.violation !== undefined || r.outcome !== 'ok' || sameBytes(primaryImage(flash, cfgUsed, r), running)) {
          if (report) record({ kind: 'test-image-survives', cuts, torn, detail: `the unconfirmed test image ${running === undefined ? '' : expected.version ?? ''} still runs after the next reboot (${r.outcome})` });
          return false;
        }
      }
    }
    return true;
  };

  /** Judges a failing cut list again with the corrected algorithm to tell MCUboot defects apart. */
  const judgeAndClassify = (cuts: readonly number[], torn: boolean, reached?: FlashSnapshot): void => {
    const before = issues.length;
    const target = torn ? tornCounts : counts;
    const beforeCounts = { ...target };
    if (judge(cuts, torn, config, true, reached)) return;
    if (cfg.fixed || !judge(cuts, torn, fixedConfig, false)) return;
    // Clean with the fix: re-file what was just recorded as an MCUboot defect.
    for (const k of Object.keys(target) as SweepIssueKind[]) target[k] = beforeCounts[k];
    const found = issues.splice(before);
    record({
      kind: 'mcuboot-defect', cuts, torn,
      detail: `${found[0]?.detail ?? 'failure'} — a defect of MCUboot's ${cfg.mode} algorithm; the corrected algorithm (fixed) recovers`,
      avoid: AVOID[cfg.mode],
    });
  };

  let cutPoints = 0;
  let doubleCutPoints = 0;
  let tornPoints = 0;
  for (let n = 1; n <= totalOps; n++) {
    if (options.only !== undefined && !options.only.includes(n)) continue;
    cutPoints++;
    judgeAndClassify([n], false);
    if (options.torn !== undefined) {
      tornPoints++;
      judgeAndClassify([n], true);
    }
    if (options.double === true) {
      // Run the recovery boot after this cut once, keeping the state after each of its ops;
      // the state after a second cut at M is the one after its op M-1.
      flash.restore(after[n - 1] as FlashSnapshot);
      const recAfter: FlashSnapshot[] = [flash.snapshot()];
      const s2 = flash.observe(() => { recAfter.push(flash.snapshot()); });
      bootOnce(flash, config);
      s2();
      for (let m = 1; m < recAfter.length; m++) {
        doubleCutPoints++;
        judgeAndClassify([n, m], false, recAfter[m - 1]);
      }
    }
  }

  let randomRuns = 0;
  if (options.random !== undefined) {
    const rng = options.random.rng;
    for (let run = 0; run < options.random.runs; run++) {
      randomRuns++;
      const k = 1 + rng.below(options.random.maxCuts ?? 5);
      const cuts: number[] = [];
      let remaining = Math.max(2, totalOps);
      for (let i = 0; i < k; i++) {
        const c = 1 + rng.below(Math.max(1, Math.floor(remaining / 2)));
        cuts.push(c);
        remaining -= c;
        if (remaining < 2) break;
      }
      judgeAndClassify(cuts, false);
    }
  }

  flash.restore(start);
  const clean = counts.brick === 0 && counts['wrong-image'] === 0 && counts['test-image-survives'] === 0 && counts['nor-violation'] === 0;
  return {
    step: options.step, mode: cfg.mode, fixed: cfg.fixed, totalOps, expected, cutPoints, doubleCutPoints, tornPoints, randomRuns,
    outcomes, issues, counts, tornCounts, clean,
  };
}

