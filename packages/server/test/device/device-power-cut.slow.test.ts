/** Slow tier of device-power-cut.test.ts: a power cut at every flash operation of the OTA. */
import { test } from 'node:test';
import { runCut } from './device-power-cut-run.js';

test('device ⇄ server: a power cut at every flash operation of a whole OTA', async () => {
  const { ops } = await runCut(null);
  for (let n = 1; n <= ops; n++) await runCut(n);
});
