import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLogLine, formatUptime } from './log.js';

test('log lines use Zephyr’s uptime stamp and level tags', () => {
  assert.equal(formatUptime(0), '00:00:00.000,000');
  assert.equal(formatUptime(7_710_050), '02:08:30.050,000');
  assert.equal(formatLogLine({ atMs: 61_140, level: 'err', module: 'app', message: 'Error -116, retry 0, wait 10000 ms, recover to NET_INIT' }),
    '[00:01:01.140,000] <err> app: Error -116, retry 0, wait 10000 ms, recover to NET_INIT');
  assert.throws(() => formatUptime(-1), RangeError);
});
