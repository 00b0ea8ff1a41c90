/**
 * The file-backed flash (node/file-flash.ts): every op reaches the file as it happens, a power
 * cut leaves exactly the ops before it, reopening the file continues from there, and bad files
 * get typed errors. Also the layout parser (boards/layout.ts) and the --explain words
 * (boot/report.ts: per-area work, next boot) and the inspection on a real swap.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileFlash, writeFlashFile } from '../src/node/file-flash.js';
import { NorFlash } from '../src/flash/nor-flash.js';
import { isPowerLoss } from '../src/flash/power-loss.js';
import { openFlashArea } from '../src/flash/flash-area.js';
import { boot } from '../src/boot/loader.js';
import { setPending } from '../src/boot/public-api.js';
import { explainBoot } from '../src/boot/report.js';
import { inspectFlash } from '../src/boot/inspect.js';
import { layoutFromJson, layoutFromPreset } from '../src/boards/layout.js';
import { isSlotwiseError } from '../src/errors.js';
import { buildImage, hashOnlyValidator, placeImage } from './helpers/test-images.js';
import type { BootConfig } from '../src/boot/config.js';

const dir = mkdtempSync(join(tmpdir(), 'slotwise-file-flash-'));
const layout = layoutFromPreset('k64f');
const config: BootConfig = { mode: 'swap-move', bootMaxAlign: 8, maxImgSectors: 128, validatePrimarySlot: true, validator: hashOnlyValidator() };

function device(name: string): { path: string; mem: NorFlash } {
  const mem = new NorFlash(layout.geometry);
  placeImage(mem, 0x20000, buildImage(9000, 1, 1));
  placeImage(mem, 0x40000, buildImage(13000, 2, 2));
  setPending(openFlashArea(mem, 'secondary'), { bootMaxAlign: 8, maxImgSectors: 128, mode: 'swap-move' }, false);
  const path = join(dir, name);
  writeFlashFile(path, mem);
  return { path, mem };
}

test('every op is written through: after a boot the file equals the in-memory device', () => {
  const { path, mem } = device('through.bin');
  const f = openFileFlash(path, layout.geometry);
  const r = boot(f.flash, config);
  f.close();
  assert.equal(r.boot?.version, '2.0.1+0');
  assert.ok(r.ops.length > 20);
  boot(mem, config);
  assert.deepEqual(new Uint8Array(readFileSync(path)), mem.toBytes());
});

test('a power cut at op N leaves the file with ops 1..N-1; reopening and booting recovers', () => {
  const { path, mem } = device('cut.bin');
  const ref = mem.clone();
  ref.armPowerCut(15);
  assert.throws(() => boot(ref, config), isPowerLoss);
  const f = openFileFlash(path, layout.geometry);
  f.flash.armPowerCut(15);
  assert.throws(() => boot(f.flash, config), isPowerLoss);
  f.close();
  assert.deepEqual(new Uint8Array(readFileSync(path)), ref.toBytes());
  const again = openFileFlash(path, layout.geometry);
  assert.equal(boot(again.flash, config).boot?.version, '2.0.1+0');
  again.close();
});

test('a file of the wrong size or a missing file is a typed error', () => {
  writeFileSync(join(dir, 'short.bin'), new Uint8Array(100));
  assert.throws(() => openFileFlash(join(dir, 'short.bin'), layout.geometry), (e: unknown) => isSlotwiseError(e, 'SW_ERR_FLASH_FILE_SIZE'));
  assert.throws(() => openFileFlash(join(dir, 'none.bin'), layout.geometry), (e: unknown) => isSlotwiseError(e, 'SW_ERR_INPUT_INVALID') && /no such file/.test(e.message));
});

test('layouts: a scenario-shaped JSON with sector runs parses; bad fields are named', () => {
  const l = layoutFromJson({
    geometry: { name: 'mine', sectors: [{ size: 4096, count: 64 }], write_align: 4, erased_val: 255,
      areas: { primary: { id: 1, off: 0x8000, size: 0x10000 }, secondary: { id: 2, off: 0x18000, size: 0x10000 } } },
    config: { upgrade_mode: 'swap-move', boot_max_align: 8, max_img_sectors: 128 },
  }, 'test');
  assert.equal(l.geometry.size, 64 * 4096);
  assert.equal(l.mode, 'swap-move');
  assert.equal(l.validatePrimarySlot, true);
  const bad = (doc: unknown, re: RegExp): void => assert.throws(() => layoutFromJson(doc, 'x'), (e: unknown) => isSlotwiseError(e, 'SW_ERR_BOOT_CONFIG_INVALID') && re.test(e.message));
  bad({}, /missing "geometry"/);
  bad({ geometry: { sectors: [4096], write_align: 3, areas: { primary: { off: 0, size: 4096 }, secondary: { off: 0, size: 4096 } } } }, /power of two/);
  bad({ geometry: { sectors: [4096, 4096], write_align: 4, areas: { primary: { off: 0, size: 4096 }, secondary: { off: 0, size: 4096 } } } }, /overlap/);
  bad({ geometry: { sectors: [4096, 4096], write_align: 4, areas: { primary: { off: 0, size: 4096 }, secondary: { off: 4096, size: 4096 } } }, config: { upgrade_mode: 'swap-fast' } }, /upgrade_mode/);
  assert.throws(() => layoutFromPreset('nope'), /presets: nrf52840/);
});

test('explain: the words name the decision row, the validation, the work per area and the next boot; inspect sees the result', () => {
  const { mem } = device('explain.bin');
  const before = inspectFlash(mem, config);
  assert.deepEqual([before.swap.swapType, before.swap.row, before.swap.statusEntries], ['test', 1, 0]);
  const lines = explainBoot(boot(mem, config));
  const text = lines.join('\n');
  assert.match(text, /Read the trailers\. Primary: magic unset.*Secondary: magic good/);
  assert.match(text, /Decision: TEST \(decision table row 1/);
  assert.match(text, /The secondary image is valid \(2\.0\.1\+0: sha256 ok \(hash only\)\)/);
  assert.match(text, /^ {2}primary: \d+ erases \(\d+ KiB\), \d+ writes/m);
  assert.match(text, /^ {2}secondary: \d+ erases/m);
  assert.match(text, /Boots version 2\.0\.1\+0/);
  assert.match(text, /Next boot: this image runs as a test/);
  const after = inspectFlash(mem, config);
  assert.equal(after.primary.image?.version, '2.0.1+0');
  assert.equal(after.secondary.image?.version, '1.0.1+0');
  assert.equal(after.swap.swapType, 'revert');
});
