/**
 * Power-cut sweeps beyond the vectors (fast subset; the full matrix is boot-sweep.slow.test.ts):
 * MCUboot's swap-offset defects are found and named as such, and the corrected algorithm
 * (`fixed`) is clean; every mode survives single, double and random cuts on a small layout.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sweepStep } from '../src/boot/sweep.js';
import { createRandom } from '../src/sim/random.js';
import { loadScenario, configFor, flashFor, runAction } from './helpers/boot-vectors.js';
import { sweepCase } from './helpers/sweep-cases.js';
import type { UpgradeMode } from '../src/boot/config.js';

function vectorState(path: string, beforeStep: number, fixed: boolean) {
  const sc = loadScenario(path);
  const config = { ...configFor(sc), fixed };
  const flash = flashFor(sc, path);
  for (const step of sc.sequence.slice(0, beforeStep)) runAction(flash, step.action, config);
  return { flash, config };
}

test('swap-offset revert on nrf52840: the double cuts 20-24 then 7 are MCUboot defects; fixed is clean', () => {
  const d = vectorState('nrf52840/swap-offset/test-then-revert', 2, false);
  const r = sweepStep(d.flash, { config: d.config, step: 'boot', double: true });
  assert.equal(r.totalOps, 76);
  assert.equal(r.counts['mcuboot-defect'], 5);
  assert.deepEqual(r.issues.map((i) => i.cuts), [[20, 7], [21, 7], [22, 7], [23, 7], [24, 7]]);
  assert.ok(r.issues.every((i) => i.kind === 'mcuboot-defect' && i.detail.includes('assert') && i.avoid !== undefined));
  assert.equal(r.outcomes['assert'], 5);
  assert.equal(r.clean, true);
  const f = vectorState('nrf52840/swap-offset/test-then-revert', 2, true);
  const rf = sweepStep(f.flash, { config: f.config, step: 'boot', double: true, only: [18, 19, 20, 21, 22, 23, 24, 25] });
  assert.deepEqual(rf.issues, []);
  assert.equal(rf.outcomes['ok 1.0.0+0'], rf.cutPoints + rf.doubleCutPoints);
});

test('swap-scratch revert on nrf52840: a double cut around the trailer hand-over loses the revert (found by the twin); fixed is clean', () => {
  const d = vectorState('nrf52840/swap-scratch/test-then-revert', 2, false);
  const r = sweepStep(d.flash, { config: d.config, step: 'boot', double: true, only: [16, 17, 18, 19, 20] });
  assert.deepEqual(r.issues.map((i) => [i.kind, i.cuts]), [['mcuboot-defect', [18, 14]], ['mcuboot-defect', [18, 15]], ['mcuboot-defect', [18, 16]]]);
  assert.ok(r.issues.every((i) => i.detail.startsWith('recovery booted 2.0.0+0')));
  const f = vectorState('nrf52840/swap-scratch/test-then-revert', 2, true);
  assert.deepEqual(sweepStep(f.flash, { config: f.config, step: 'boot', double: true, only: [16, 17, 18, 19, 20] }).issues, []);
});

test('swap-offset with a one-sector swap: the index slip bricks after some cuts; fixed is clean', () => {
  const d = sweepCase('k64f', 'swap-offset', 'upgrade', { sizeA: 3000, sizeB: 3500 });
  const r = sweepStep(d.flash, { config: d.config, step: 'boot', double: true });
  assert.ok(r.counts['mcuboot-defect'] > 0);
  assert.equal(r.counts.brick + r.counts['wrong-image'], 0);
  assert.ok(r.issues.every((i) => i.kind === 'mcuboot-defect' && i.detail.includes('fail')));
  const f = sweepCase('k64f', 'swap-offset', 'upgrade', { sizeA: 3000, sizeB: 3500, fixed: true });
  assert.deepEqual(sweepStep(f.flash, { config: f.config, step: 'boot', double: true }).issues, []);
});

for (const mode of ['swap-scratch', 'swap-move', 'swap-offset', 'overwrite-only'] as UpgradeMode[]) {
  for (const scenario of mode === 'overwrite-only' ? ['permanent'] as const : ['upgrade', 'permanent', 'revert'] as const) {
    test(`${mode} ${scenario} on k64f: every single, double and random cut recovers (fixed)`, () => {
      const c = sweepCase('k64f', mode, scenario, { fixed: true, sizeA: 3000, sizeB: 6000 });
      // Overwrite-only copies the whole 128 KiB slot (162 ops): its double cuts run in the slow tier.
      const r = sweepStep(c.flash, { config: c.config, step: 'boot', double: mode !== 'overwrite-only', random: { runs: 50, rng: createRandom(7) } });
      assert.ok(r.totalOps > 10);
      assert.equal(r.cutPoints, r.totalOps);
      assert.deepEqual(r.issues, [], `seed 7, first failing cuts ${JSON.stringify(r.issues[0]?.cuts)}`);
      assert.equal(r.clean, true);
    });
  }
}

test('torn writes are judged at every op, deterministically from the seed', () => {
  const run = () => {
    const c = sweepCase('k64f', 'swap-move', 'upgrade', { fixed: true, sizeA: 6000, sizeB: 9000 });
    return sweepStep(c.flash, { config: c.config, step: 'boot', torn: { rngFor: (n) => createRandom(1000 + n) } });
  };
  const a = run();
  const b = run();
  assert.equal(a.tornPoints, a.totalOps);
  assert.deepEqual(a.tornCounts, b.tornCounts);
  assert.deepEqual(a.outcomes, b.outcomes);
  assert.equal(a.clean, true);
});

test('application steps are swept too: a cut inside set-pending leaves no upgrade or a test upgrade, never a brick', () => {
  const c = sweepCase('k64f', 'swap-scratch', 'upgrade', { fixed: true });
  // Undo the mark: sweep the call itself from a clean secondary trailer.
  const sec = c.flash.geometry.areas.secondary as { off: number; size: number };
  c.flash.erase(sec.off + sec.size - 4096, 4096);
  const r = sweepStep(c.flash, { config: c.config, step: 'set-pending' });
  assert.equal(r.totalOps, 2);
  assert.equal(r.counts.brick, 0);
  assert.deepEqual(Object.keys(r.outcomes).sort(), ['ok 1.0.1+0', 'ok 2.0.1+0']);
});
