import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createRandom } from './random.js';
import { createManualClock } from './clock.js';

test('the same seed yields the same sequence', () => {
  fc.assert(
    fc.property(fc.integer(), (seed) => {
      const a = createRandom(seed);
      const b = createRandom(seed);
      for (let i = 0; i < 16; i++) assert.equal(a.u32(), b.u32());
    }),
  );
});

test('a fork depends on its label and parent seed only, not on draws made before it', () => {
  const a = createRandom(42);
  const b = createRandom(42);
  for (let i = 0; i < 100; i++) b.u32();
  assert.equal(a.fork('device-1').u32(), b.fork('device-1').u32());
  assert.notEqual(a.fork('device-1').u32(), a.fork('device-2').u32());
});

test('below(n) stays in range and float() in [0, 1)', () => {
  fc.assert(
    fc.property(fc.integer(), fc.integer({ min: 1, max: 1_000_000 }), (seed, n) => {
      const r = createRandom(seed);
      const x = r.below(n);
      const f = r.float();
      assert.ok(Number.isInteger(x) && x >= 0 && x < n);
      assert.ok(f >= 0 && f < 1);
    }),
  );
});

test('different seeds give different streams', () => {
  assert.notEqual(createRandom(1).u32(), createRandom(2).u32());
});

test('a manual clock never moves backwards', () => {
  const clock = createManualClock(10);
  clock.advanceBy(5);
  assert.equal(clock.nowMs(), 15);
  assert.throws(() => clock.advanceTo(3), RangeError);
});
