/**
 * Issue 5 (b) against the real server in-process: a power cut at flash operations of a whole
 * OTA (download, test request, swap, confirm) of a device talking DDI to `buildApp`. After
 * every cut the device boots a valid image and the update finishes (or, if the cut kept the
 * test image from confirming, MCUboot reverts and the server records the failure). The fast
 * tier cuts at a spread of operations; device-power-cut.slow.test.ts cuts at every one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCut } from './device-power-cut-run.js';

test('device ⇄ server: power cuts across a whole OTA never brick the device and the server ends consistent', async () => {
  const { ops } = await runCut(null);
  assert.ok(ops > 40);
  const step = Math.max(1, Math.floor(ops / 10));
  for (let n = 1; n <= ops; n += step) await runCut(n);
});
