import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createScheduler } from './scheduler.js';

test('events run in (time, insertion) order and the clock reads each event time', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 60 }), (times) => {
      const s = createScheduler(0);
      const ran: Array<{ i: number; now: number }> = [];
      times.forEach((t, i) => s.at(t, () => ran.push({ i, now: s.nowMs() })));
      while (s.runNext());
      const expected = times.map((t, i) => ({ i, t })).sort((a, b) => a.t - b.t || a.i - b.i);
      assert.deepEqual(ran.map((r) => r.i), expected.map((e) => e.i));
      for (const r of ran) assert.equal(r.now, times[r.i]);
    }),
  );
});

test('ties resolve in insertion order, also for events scheduled by running events', () => {
  const s = createScheduler(0);
  const log: string[] = [];
  s.at(5, () => {
    log.push('a');
    s.at(5, () => log.push('c'));
  });
  s.at(5, () => log.push('b'));
  s.runUntil(10);
  assert.deepEqual(log, ['a', 'b', 'c']);
  assert.equal(s.nowMs(), 10);
});

test('cancelled events never run; all others run exactly once', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ t: fc.integer({ min: 0, max: 50 }), cancel: fc.boolean() }), { maxLength: 60 }),
      (specs) => {
        const s = createScheduler(0);
        const count = new Map<number, number>();
        const ids = specs.map((sp, i) => s.at(sp.t, () => count.set(i, (count.get(i) ?? 0) + 1)));
        specs.forEach((sp, i) => sp.cancel && s.cancel(ids[i]!));
        assert.equal(s.pending(), specs.filter((sp) => !sp.cancel).length);
        s.runUntil(100);
        specs.forEach((sp, i) => assert.equal(count.get(i), sp.cancel ? undefined : 1));
        assert.equal(s.pending(), 0);
      },
    ),
  );
});

test('an event can cancel a later one due at the same time', () => {
  const s = createScheduler(0);
  const log: string[] = [];
  let second = -1;
  s.at(1, () => {
    log.push('first');
    s.cancel(second);
  });
  second = s.at(1, () => log.push('second'));
  s.runUntil(2);
  assert.deepEqual(log, ['first']);
});

test('runUntil stops at the bound and leaves later events pending', () => {
  const s = createScheduler(100);
  const log: number[] = [];
  s.after(10, () => log.push(s.nowMs()));
  s.after(30, () => log.push(s.nowMs()));
  assert.equal(s.nextAtMs(), 110);
  assert.equal(s.runUntil(120), 1);
  assert.deepEqual(log, [110]);
  assert.equal(s.nowMs(), 120);
  assert.equal(s.pending(), 1);
});

test('scheduling in the past is a RangeError', () => {
  const s = createScheduler(0);
  s.runUntil(50);
  assert.throws(() => s.at(49, () => {}), RangeError);
  assert.throws(() => s.after(-1, () => {}), RangeError);
  assert.throws(() => s.runUntil(10), RangeError);
});
