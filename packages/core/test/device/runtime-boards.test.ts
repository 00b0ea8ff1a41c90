/**
 * The whole OTA on real board layouts and every swap mode the board supports: a clean update,
 * then a power cut at a spread of flash operations (the full sweep per board and mode is in
 * runtime-boards.slow.test.ts). Overwrite-only cannot revert, so there the update is final.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CASES, checkOutcome, otaRun } from './runtime-ota-cases.js';
import { firmware } from './runtime-rig.js';

for (const [board, mode] of CASES) {
  test(`${board} / ${mode}: clean OTA, then power cuts at a spread of operations`, async () => {
    const clean = await otaRun(board, mode, null);
    checkOutcome(clean, 'clean', mode);
    assert.deepEqual(clean.rig.server.feedback.map((f) => f.finished), ['success']);
    const step = Math.max(1, Math.floor(clean.ops / 12));
    for (let n = 1; n <= clean.ops; n += step) {
      const r = await otaRun(board, mode, n);
      assert.equal(r.rig.runtime.powerLosses, 1, `cut ${n}: happened`);
      checkOutcome(r, `${board}/${mode} cut ${n}`, mode);
    }
  });
}

for (const [board, mode] of CASES) {
  test(`${board} / ${mode}: two updates in a row (v1 → v2 → v3) leave the secondary reusable`, async () => {
    const first = await otaRun(board, mode, null);
    const { rig } = first;
    rig.server.deploy('801', '3.0.0', firmware('3.0.0', 25_000));
    await rig.runtime.runUntil(rig.scheduler.nowMs() + 7_200_000);
    assert.equal(rig.runtime.firmware()?.version, '3.0.0');
    assert.deepEqual(rig.server.feedback.map((f) => `${f.actionId}:${f.finished}`), ['800:success', '801:success']);
  });
}
