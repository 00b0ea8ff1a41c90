/**
 * The full power-cut matrix (slow tier): every board preset x each mode MCUboot's simulator runs
 * on it x upgrade / permanent / revert, single cuts at every op, double cuts at every op of every
 * recovery boot (after every 8th first cut for overwrite-only), 100 seeded random multi-cut runs. With MCUboot's algorithms the only failures
 * allowed are MCUboot defects (each reported with its cuts); with `fixed` there are none.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BOARD_PRESETS } from '../src/boards/presets.js';
import { sweepStep } from '../src/boot/sweep.js';
import { createRandom } from '../src/sim/random.js';
import { sweepCase } from './helpers/sweep-cases.js';

const SEED = 20261127;

for (const preset of BOARD_PRESETS) {
  for (const mode of preset.modes) {
    for (const scenario of mode === 'overwrite-only' ? ['permanent'] as const : ['upgrade', 'permanent', 'revert'] as const) {
      test(`sweep ${preset.name} ${mode} ${scenario}`, () => {
        for (const fixed of [false, true]) {
          const c = sweepCase(preset.name, mode, scenario, { fixed });
          // Overwrite-only copies whole slots (up to 520 ops on stm32f769): double cuts after every
          // 8th first cut there; every first cut everywhere else.
          const every = mode === 'overwrite-only' ? 8 : 1;
          const single = sweepStep(c.flash, { config: c.config, step: 'boot', random: { runs: 100, rng: createRandom(SEED) } });
          const only = Array.from({ length: single.totalOps }, (_, i) => i + 1).filter((n) => n % every === 0 || every === 1);
          const dbl = sweepStep(c.flash, { config: c.config, step: 'boot', double: true, only });
          const r = { issues: [...single.issues, ...dbl.issues], clean: single.clean && dbl.clean,
            counts: { 'mcuboot-defect': single.counts['mcuboot-defect'] + dbl.counts['mcuboot-defect'] } };
          const failures = r.issues.filter((i) => i.kind !== 'mcuboot-defect');
          assert.deepEqual(failures, [], `seed ${SEED}, ${fixed ? 'fixed' : 'default'}: first failing cuts ${JSON.stringify(failures[0]?.cuts)}`);
          assert.equal(r.clean, true);
          if (fixed) assert.equal(r.counts['mcuboot-defect'], 0, `fixed still fails at ${JSON.stringify(r.issues[0]?.cuts)}`);
          else if (r.counts['mcuboot-defect'] > 0) console.log(`${preset.name} ${mode} ${scenario}: ${r.counts['mcuboot-defect']} MCUboot-defect cut lists, first ${JSON.stringify(r.issues[0]?.cuts)}: ${r.issues[0]?.detail}`);
        }
      });
    }
  }
}
