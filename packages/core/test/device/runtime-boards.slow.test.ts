/**
 * Slow tier: a power cut and a torn write at every flash operation of a whole OTA, for every
 * board/mode case (download, test request, swap, confirm, report).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CASES, checkOutcome, otaRun } from './runtime-ota-cases.js';

for (const [board, mode] of CASES) {
  test(`${board} / ${mode}: every operation cut, every operation torn`, async () => {
    const clean = await otaRun(board, mode, null);
    for (const torn of [false, true]) {
      for (let n = 1; n <= clean.ops; n++) {
        const r = await otaRun(board, mode, n, torn);
        assert.equal(r.rig.runtime.powerLosses, 1, `cut ${n}: happened`);
        checkOutcome(r, `${board}/${mode} ${torn ? 'torn' : 'cut'} ${n}`, mode);
      }
    }
  });
}
