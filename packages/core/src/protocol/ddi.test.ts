import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { actionIdFromHref, formatSleep, isZephyrUnsafeActionId, parseSleep } from './ddi.js';

test('formatSleep emits exactly 8 characters and parseSleep reads it back', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 86_399 }), (s) => {
      const text = formatSleep(s);
      assert.equal(text.length, 8);
      assert.equal(parseSleep(text), s);
    }),
  );
});

test('formatSleep clamps to 23:59:59 and never emits ISO-8601', () => {
  assert.equal(formatSleep(86_400), '23:59:59');
  assert.equal(formatSleep(10 * 86_400), '23:59:59');
  assert.equal(formatSleep(-5), '00:00:00');
  assert.equal(formatSleep(300), '00:05:00');
});

test('parseSleep rejects what SWUpdate and Zephyr reject', () => {
  for (const bad of ['5', 'PT5S', '24:00:00', '0:05:00', '00:60:00', '00:05:00 ']) assert.equal(parseSleep(bad), null, bad);
});

test('isZephyrUnsafeActionId flags ids whose second digit is 0', () => {
  assert.equal(isZephyrUnsafeActionId(10), true);
  assert.equal(isZephyrUnsafeActionId(105), true);
  assert.equal(isZephyrUnsafeActionId(1000), true);
  assert.equal(isZephyrUnsafeActionId(7), false);
  assert.equal(isZephyrUnsafeActionId(1234567), false);
});

test('actionIdFromHref reads the id after the relation name', () => {
  assert.equal(actionIdFromHref('http://h:1/DEFAULT/controller/v1/d/deploymentBase/311?c=5', 'deploymentBase'), '311');
  assert.equal(actionIdFromHref('/DEFAULT/controller/v1/d/cancelAction/42', 'cancelAction'), '42');
  assert.equal(actionIdFromHref('/DEFAULT/controller/v1/d', 'cancelAction'), null);
});
