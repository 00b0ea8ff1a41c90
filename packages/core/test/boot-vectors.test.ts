/**
 * Conformance: the twin against every public MCUboot boot vector (../shared/vectors/boot):
 * every step's op list, flash hash, decision and trailers, every sweep cut and its recovery,
 * and every second cut. 100 %, no sampling.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listScenarios, replayScenario } from './helpers/boot-vectors.js';

for (const s of listScenarios()) {
  test(`boot vectors: ${s.id}`, () => {
    const out: string[] = [];
    const stats = replayScenario(s.path, out, { secondCuts: true });
    assert.ok(stats.steps > 0);
    assert.deepEqual(out.slice(0, 10), [], `${out.length} mismatches`);
  });
}
