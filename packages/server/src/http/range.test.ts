import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseRange } from './range.js';

test('parseRange: the forms real clients send', () => {
  assert.deepEqual(parseRange(undefined, 100), { kind: 'full' });
  assert.deepEqual(parseRange('bytes=10-', 100), { kind: 'ranges', ranges: [{ start: 10, end: 99 }] });
  assert.deepEqual(parseRange('bytes=0-9', 100), { kind: 'ranges', ranges: [{ start: 0, end: 9 }] });
  assert.deepEqual(parseRange('bytes=90-500', 100), { kind: 'ranges', ranges: [{ start: 90, end: 99 }] }, 'end clamped');
  assert.deepEqual(parseRange('bytes=-10', 100), { kind: 'ranges', ranges: [{ start: 90, end: 99 }] });
  assert.deepEqual(parseRange('bytes=0-1, 5-6', 100), { kind: 'ranges', ranges: [{ start: 0, end: 1 }, { start: 5, end: 6 }] });
});

test('parseRange: malformed, outside, overlapping or unsorted is unsatisfiable', () => {
  for (const h of ['bytes=100-', 'bytes=5-4', 'bytes=abc', 'items=0-1', 'bytes=', 'bytes=-', 'bytes=-0', 'bytes=0-5,3-8', 'bytes=5-6,0-1', 'bytes=1-2-3']) {
    assert.deepEqual(parseRange(h, 100), { kind: 'unsatisfiable' }, h);
  }
});

test('parseRange: every satisfiable single range lies inside the file', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 10_000 }), fc.nat(20_000), fc.option(fc.nat(20_000)), (size, a, b) => {
      const r = parseRange(`bytes=${a}-${b ?? ''}`, size);
      if (r.kind !== 'ranges') return;
      const [x] = r.ranges;
      assert.ok(x !== undefined && x.start >= 0 && x.end < size && x.start <= x.end);
    }),
  );
});
