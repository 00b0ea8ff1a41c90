import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { msUntilWindow, stageBoundaries, windowOpen } from './rollouts.js';

test('stageBoundaries: cumulative, never shrinking, bounded by the cohort, last stage takes everyone', () => {
  const stage = fc.oneof(fc.record({ count: fc.nat(200) }), fc.record({ percent: fc.integer({ min: 0, max: 100 }) }));
  fc.assert(
    fc.property(fc.array(stage, { minLength: 1, maxLength: 6 }), fc.nat(500), (stages, cohort) => {
      const b = stageBoundaries(stages, cohort);
      assert.equal(b.length, stages.length);
      assert.equal(b[b.length - 1], cohort);
      for (let i = 0; i < b.length; i++) {
        assert.ok((b[i] ?? 0) <= cohort);
        if (i > 0) assert.ok((b[i] ?? 0) >= (b[i - 1] ?? 0));
      }
    }),
  );
  assert.deepEqual(stageBoundaries([{ count: 1 }, { percent: 50 }, { percent: 100 }], 10), [1, 5, 10]);
  assert.deepEqual(stageBoundaries([{ percent: 10 }, { count: 2 }], 3), [1, 3]);
});

test('maintenance windows: open inside the daily UTC window (also across midnight), and the wait until it opens', () => {
  const at = (h: number, m: number): number => Date.UTC(2026, 10, 27, h, m);
  const night = { startMinuteUtc: 23 * 60, durationMinutes: 120 };
  assert.equal(windowOpen(night, at(23, 30)), true);
  assert.equal(windowOpen(night, at(0, 59)), true);
  assert.equal(windowOpen(night, at(1, 0)), false);
  assert.equal(msUntilWindow(night, at(22, 0)), 3_600_000);
  assert.equal(msUntilWindow(night, at(1, 0)), 22 * 3_600_000);
  assert.equal(msUntilWindow(night, at(23, 5)), 0);
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 1439 }), fc.integer({ min: 1, max: 1440 }), fc.integer({ min: 0, max: 10 * 86_400_000 }), (start, duration, now) => {
      const w = { startMinuteUtc: start, durationMinutes: duration };
      const wait = msUntilWindow(w, now);
      assert.ok(wait >= 0 && wait <= 86_400_000);
      assert.equal(wait === 0, windowOpen(w, now));
      if (wait > 0) assert.equal(windowOpen(w, now + wait), true);
    }),
  );
});
