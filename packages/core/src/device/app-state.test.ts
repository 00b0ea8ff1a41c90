import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APP_STATES, TRANSITIONS, appStateName, backoffDelayMs, findTransition } from './app-state.js';

test('backoff is the three-step table of §10 from retry_count', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 100].map(backoffDelayMs), [10_000, 10_000, 10_000, 60_000, 60_000, 60_000, 300_000, 300_000, 300_000]);
  assert.throws(() => backoffDelayMs(-1), RangeError);
});

test('state names follow the enum order and fall back to UNKNOWN', () => {
  assert.equal(appStateName(0), 'BOOT');
  assert.equal(appStateName(7), 'ERROR');
  assert.equal(appStateName(8), 'UNKNOWN');
  assert.equal(APP_STATES.length, 8);
});

test('the table has T1–T13, one row per (from, condition)', () => {
  assert.deepEqual(TRANSITIONS.map((r) => r.id), Array.from({ length: 13 }, (_, i) => `T${i + 1}`));
  const keys = new Set(TRANSITIONS.map((r) => `${r.from}/${r.on}`));
  assert.equal(keys.size, TRANSITIONS.length);
  assert.equal(findTransition('WAIT', 'WAIT_ELAPSED').to, 'recovery_state');
  assert.throws(() => findTransition('IDLE', 'SEND_OK'), RangeError);
});
