import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { convertAmbient, createMcp9808Chip, encodeAmbient, mcp9808Init, mcp9808Sample } from './mcp9808.js';
import { Errno } from './errno.js';

test('the series’ worked examples: raw 400 → 25 000 m°C, 401 → 25 062 m°C', () => {
  for (const literal of [true, false]) {
    assert.equal(convertAmbient(400, literal), 25_000);
    assert.equal(convertAmbient(401, literal), 25_062);
  }
});

test('G21: below 0 °C the literal formula is wrong, the default is right', () => {
  const raw = encodeAmbient(-1); // 0x1FF0
  assert.equal(raw, 0x1ff0);
  assert.equal(convertAmbient(raw, false), -1000);
  assert.equal(convertAmbient(raw, true), 255_000);
});

test('default conversion round-trips every 1/16 °C step of the sensor range', () => {
  fc.assert(
    fc.property(fc.integer({ min: -40 * 16, max: 125 * 16 }), (sixteenths) => {
      assert.equal(convertAmbient(encodeAmbient(sixteenths / 16), false), Math.trunc((sixteenths * 625) / 10));
    }),
  );
});

test('init checks the ID registers; faults map to -EIO / -ENODEV', () => {
  const ok = createMcp9808Chip(() => 20);
  assert.equal(mcp9808Init(ok, 0), 0);
  assert.deepEqual(mcp9808Sample(ok, 0, false), { err: 0, mdeg: 20_000 });
  const absent = createMcp9808Chip(() => 20, [{ fault: { kind: 'sensor.absent' }, fromMs: 0, untilMs: 10 }]);
  assert.equal(mcp9808Init(absent, 5), -Errno.ENODEV);
  assert.equal(mcp9808Init(absent, 10), 0);
  const bus = createMcp9808Chip(() => 20, [{ fault: { kind: 'sensor.bus_error' }, fromMs: 0, untilMs: Infinity }]);
  assert.equal(mcp9808Init(bus, 0), -Errno.EIO);
  assert.equal(mcp9808Sample(bus, 0, false).err, -Errno.EIO);
});
