/**
 * Layout parsing, flash creation from image files, the explanation in words and the vector-shaped
 * JSON: a flash built from a scenario's own v1.bin/v2.bin equals its initial flash, and the boot's
 * JSON equals the vectors' recorded result.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { layoutFromJson, layoutFromPreset, createFlashWithImages } from '../src/boards/layout.js';
import { boot } from '../src/boot/loader.js';
import { setPending } from '../src/boot/public-api.js';
import { explainBoot, toVectorResult } from '../src/boot/report.js';
import { openFlashArea } from '../src/flash/flash-area.js';
import { isSlotwiseError } from '../src/errors.js';
import { BOOT_VECTORS, configFor, flashHash, loadScenario } from './helpers/boot-vectors.js';

for (const path of ['nrf52840/swap-offset/test-then-revert', 'stm32u5/swap-scratch/test-then-revert', 'stm32f4/overwrite-only/permanent']) {
  test(`a flash built from ${path}'s images equals its initial flash; the boot JSON equals the vectors'`, () => {
    const sc = loadScenario(path);
    const json = JSON.parse(readFileSync(join(BOOT_VECTORS, path, 'scenario.json'), 'utf8')) as unknown;
    const layout = layoutFromJson(json);
    assert.equal(layout.mode, sc.config.upgrade_mode);
    assert.equal(layout.bootMaxAlign, sc.config.boot_max_align);
    const img = (n: string): Uint8Array => new Uint8Array(readFileSync(join(BOOT_VECTORS, path, 'images', n)));
    const flash = createFlashWithImages(layout, sc.config.upgrade_mode, img('v1.bin'), img('v2.bin'));
    assert.equal(flashHash(flash), sc.initial_flash.sha256);
    const cfg = configFor(sc);
    const layoutT = { bootMaxAlign: layout.bootMaxAlign, maxImgSectors: layout.maxImgSectors, mode: sc.config.upgrade_mode };
    setPending(openFlashArea(flash, 'secondary'), layoutT, sc.sequence[0]?.action === 'set-pending-permanent');
    const r = boot(flash, cfg);
    const expected = sc.sequence[1]?.result as unknown as Record<string, unknown>;
    const got = toVectorResult(r);
    for (const k of ['outcome', 'rc', 'ops', 'boot', 'trailers']) assert.deepEqual(got[k], expected[k], k);
  });
}

test('explainBoot tells why: the decision row, the validation, the actions and the image that boots', () => {
  const path = 'nrf52840/swap-move/test-then-revert';
  const sc = loadScenario(path);
  const layout = layoutFromPreset('nrf52840');
  const img = (n: string): Uint8Array => new Uint8Array(readFileSync(join(BOOT_VECTORS, path, 'images', n)));
  const flash = createFlashWithImages(layout, 'swap-move', img('v1.bin'), img('v2.bin'));
  setPending(openFlashArea(flash, 'secondary'), { bootMaxAlign: 8, maxImgSectors: 128, mode: 'swap-move' }, false);
  const cfg = configFor(sc);
  const up = explainBoot(boot(flash, cfg)).join('\n');
  assert.match(up, /Decision: TEST \(decision table row 1/);
  assert.match(up, /The secondary image is valid \(2\.0\.0\+0/);
  assert.match(up, /96 flash operations/);
  assert.match(up, /Boots version 2\.0\.0\+0 from the primary slot at 0x8000/);
  const rev = explainBoot(boot(flash, cfg)).join('\n');
  assert.match(rev, /Decision: REVERT \(decision table row 3: the running image was swapped in as a test/);
  assert.match(rev, /Boots version 1\.0\.0\+0/);
  setPending(openFlashArea(flash, 'secondary'), { bootMaxAlign: 8, maxImgSectors: 128, mode: 'swap-move' }, false);
  flash.armPowerCut(40);
  assert.throws(() => boot(flash, cfg), (e: unknown) => (e as { name?: string }).name === 'PowerLoss');
  const resumed = explainBoot(boot(flash, cfg)).join('\n');
  assert.match(resumed, /progress is recorded in the primary trailer/);
  assert.match(resumed, /Resuming the interrupted test swap at step 1, sub-step 1 \(move phase\)|Resuming the interrupted test swap at step \d+/);
  assert.match(resumed, /Boots version 2\.0\.0\+0/);
});

test('layouts: presets by name; bad JSON and unknown names are typed errors a person can act on', () => {
  assert.equal(layoutFromPreset('stm32u5').bootMaxAlign, 16);
  assert.throws(() => layoutFromPreset('esp32'), (e: unknown) => isSlotwiseError(e, 'SW_ERR_BOOT_CONFIG_INVALID') && /presets: nrf52840/.test(e.message));
  assert.throws(() => layoutFromJson({}), (e: unknown) => isSlotwiseError(e, 'SW_ERR_BOOT_CONFIG_INVALID'));
  assert.throws(() => layoutFromJson({ geometry: { sectors: [4096, 4096], write_align: 4, areas: { primary: { id: 1, off: 0, size: 4096 }, secondary: { id: 2, off: 100, size: 4096 } } } }),
    (e: unknown) => isSlotwiseError(e, 'SW_ERR_BOOT_CONFIG_INVALID') && /sector boundaries|outside/.test(e.message));
  const l = layoutFromPreset('k64f');
  assert.throws(() => createFlashWithImages(l, 'swap-move', new Uint8Array(0x20001)), (e: unknown) => isSlotwiseError(e, 'SW_ERR_BOOT_CONFIG_INVALID') && /does not fit/.test(e.message));
});
