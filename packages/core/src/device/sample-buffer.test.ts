import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SAMPLE_BUFFER_SIZE, createSampleBuffer, isEmpty, isFull, peekOldest, popOldest, pushSample, toArray } from './sample-buffer.js';

test('the ring buffer behaves like a bounded FIFO that drops its oldest record when full', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.constant<'pop'>('pop'), fc.integer({ min: -40_000, max: 125_000 })), { maxLength: 200 }), (ops) => {
      let b = createSampleBuffer();
      const model: number[] = [];
      ops.forEach((op, i) => {
        if (op === 'pop') {
          assert.equal(peekOldest(b)?.temp_mdeg, model[0]);
          b = popOldest(b);
          model.shift();
        } else {
          const r = pushSample(b, { temp_mdeg: op, timestamp_ms: i });
          const expectDrop = model.length === SAMPLE_BUFFER_SIZE ? model.shift() : undefined;
          assert.equal(r.dropped?.temp_mdeg, expectDrop);
          model.push(op);
          b = r.buffer;
        }
        assert.deepEqual(toArray(b).map((x) => x.temp_mdeg), model);
        assert.equal(isEmpty(b), model.length === 0);
        assert.equal(isFull(b), model.length === SAMPLE_BUFFER_SIZE);
      });
      assert.deepEqual(JSON.parse(JSON.stringify(b)), b);
    }),
  );
});

test('indices are 8-bit as in the series', () => {
  assert.throws(() => createSampleBuffer(256), RangeError);
  assert.throws(() => createSampleBuffer(0), RangeError);
});
