/**
 * Downgrade prevention (MCUBOOT_DOWNGRADE_PREVENTION, mcuboot.md 4.7): overwrite-only checks the
 * version inside validation; swap modes check TEST/PERM (never REVERT) by version or by the
 * protected security counter. A refused upgrade erases the secondary and boots the primary.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NorFlash } from '../src/flash/nor-flash.js';
import { openFlashArea } from '../src/flash/flash-area.js';
import { boot } from '../src/boot/loader.js';
import { setPending } from '../src/boot/public-api.js';
import type { BootConfig, UpgradeMode } from '../src/boot/config.js';
import { buildImage, hashOnlyValidator, placeImage, uniformGeometry } from './helpers/test-images.js';

const geometry = uniformGeometry({ sectorSize: 1024, count: 64, writeAlign: 1, primary: [16, 8], secondary: [32, 8], scratch: [48, 2] });

function run(mode: UpgradeMode, dp: BootConfig['downgradePrevention'], pri: { major: number; secCnt?: number }, sec: { major: number; secCnt?: number }) {
  const flash = new NorFlash(geometry);
  placeImage(flash, 0x4000, buildImage(3072, pri.major, 1, 32, pri.secCnt === undefined ? {} : { secCnt: pri.secCnt }));
  placeImage(flash, mode === 'swap-offset' ? 0x8400 : 0x8000, buildImage(4000, sec.major, 2, 32, sec.secCnt === undefined ? {} : { secCnt: sec.secCnt }));
  setPending(openFlashArea(flash, 'secondary'), { bootMaxAlign: 8, maxImgSectors: 128, mode }, true);
  const cfg: BootConfig = { mode, bootMaxAlign: 8, maxImgSectors: 128, validatePrimarySlot: true, validator: hashOnlyValidator(), ...(dp !== undefined ? { downgradePrevention: dp } : {}) };
  const r = boot(flash, cfg);
  const secErased = openFlashArea(flash, 'secondary').read(0, 0x2000).every((b) => b === 0xff);
  return { r, secErased };
}

for (const mode of ['overwrite-only', 'swap-scratch', 'swap-move', 'swap-offset'] as UpgradeMode[]) {
  test(`${mode}: a lower version is refused (secondary erased, primary boots); equal and higher pass; off by default`, () => {
    const low = run(mode, 'version', { major: 3 }, { major: 2 });
    assert.equal(low.r.boot?.version, '3.0.1+0');
    assert.ok(low.secErased, 'secondary slot erased');
    assert.ok(low.r.events.some((e) => e.kind === 'validation' && e.reason.includes('downgrade')));
    assert.equal(run(mode, 'version', { major: 2 }, { major: 2 }).r.boot?.version, '2.0.1+0');
    assert.equal(run(mode, 'version', { major: 2 }, { major: 3 }).r.boot?.version, '3.0.1+0');
    assert.equal(run(mode, undefined, { major: 3 }, { major: 2 }).r.boot?.version, '2.0.1+0');
  });
}

test('swap modes with the security counter: lower counter refused, missing secondary counter refused, missing primary counter allowed', () => {
  for (const mode of ['swap-scratch', 'swap-move', 'swap-offset'] as UpgradeMode[]) {
    assert.equal(run(mode, 'security-counter', { major: 1, secCnt: 5 }, { major: 9, secCnt: 4 }).r.boot?.version, '1.0.1+0', mode);
    assert.equal(run(mode, 'security-counter', { major: 1, secCnt: 5 }, { major: 9 }).r.boot?.version, '1.0.1+0', mode);
    assert.equal(run(mode, 'security-counter', { major: 1 }, { major: 0 }).r.boot?.version, '0.0.1+0', mode);
    assert.equal(run(mode, 'security-counter', { major: 3, secCnt: 5 }, { major: 2, secCnt: 5 }).r.boot?.version, '2.0.1+0', `${mode}: equal counter, lower version passes`);
  }
});
