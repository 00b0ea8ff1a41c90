/**
 * Properties of the twin over random layouts: a completed upgrade leaves the new image in the
 * primary and the old one where the mode keeps it, with MCUboot's trailer flags; the revert
 * brings the old image back. Also the application API's exact trailer writes (mcuboot.md B.7).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { NorFlash, type FlashOp } from '../src/flash/nor-flash.js';
import { openFlashArea } from '../src/flash/flash-area.js';
import { boot, maxImageSize } from '../src/boot/loader.js';
import { readSlotState, setConfirmed, setPending } from '../src/boot/public-api.js';
import type { BootConfig, UpgradeMode } from '../src/boot/config.js';
import { buildImage, hashOnlyValidator, placeImage, uniformGeometry } from './helpers/test-images.js';

const validator = hashOnlyValidator();

const arbCase = fc.record({
  mode: fc.constantFrom<UpgradeMode>('swap-scratch', 'swap-move', 'swap-offset', 'overwrite-only'),
  sectorSize: fc.constantFrom(512, 1024, 2048, 4096),
  n: fc.integer({ min: 6, max: 20 }),
  w: fc.constantFrom(1, 2, 4, 8),
  erased: fc.constantFrom(0xff, 0x00),
  scratchSectors: fc.integer({ min: 1, max: 4 }),
  fa: fc.double({ min: 0.05, max: 1, noNaN: true }),
  fb: fc.double({ min: 0.05, max: 1, noNaN: true }),
  fast: fc.boolean(),
});

test('for random layouts and image sizes, every mode completes the upgrade and the revert with the expected images and flags', () => {
  fc.assert(fc.property(arbCase, (c) => {
    const np = c.mode === 'swap-move' ? c.n + 1 : c.n;
    const ns = c.mode === 'swap-offset' ? c.n + 1 : c.n;
    const geometry = uniformGeometry({ sectorSize: c.sectorSize, count: np + ns + c.scratchSectors + 1, writeAlign: c.w, erasedValue: c.erased,
      primary: [1, np], secondary: [1 + np, ns], scratch: [1 + np + ns, c.scratchSectors] });
    const cfg: BootConfig = { mode: c.mode, bootMaxAlign: 8, maxImgSectors: 128, validatePrimarySlot: true, validator,
      ...(c.mode === 'overwrite-only' ? { overwriteFast: c.fast } : {}) };
    const max = maxImageSize(geometry, cfg);
    fc.pre(max >= 400);
    const a = buildImage(Math.max(200, Math.floor(max * c.fa)), 1, 11);
    const b = buildImage(Math.max(200, Math.floor(max * c.fb)), 2, 22);
    const flash = new NorFlash(geometry);
    const pri = openFlashArea(flash, 'primary');
    const sec = openFlashArea(flash, 'secondary');
    const S = c.sectorSize;
    placeImage(flash, pri.off, a);
    placeImage(flash, sec.off + (c.mode === 'swap-offset' ? S : 0), b);
    const layout = { bootMaxAlign: 8, maxImgSectors: 128, mode: c.mode };
    assert.equal(setPending(sec, layout, false).rc, 0);

    const up = boot(flash, cfg);
    assert.equal(up.outcome, 'ok');
    assert.equal(up.boot?.version, '2.0.1+0');
    assert.deepEqual(pri.read(0, b.length), b);
    if (c.mode === 'overwrite-only') {
      assert.ok(sec.read(0, 32).every((x) => x === c.erased), 'secondary header erased after overwrite');
      assert.equal(boot(flash, cfg).ops.length, 0);
      return;
    }
    assert.deepEqual(sec.read(0, a.length), a);
    assert.deepEqual(up.trailers.primary, { magic: 'good', swapType: 2, copyDone: 'set', imageOk: 'unset', imageNum: 0 });
    assert.equal(up.trailers.secondary.magic, 'unset');

    const rev = boot(flash, cfg);
    assert.equal(rev.outcome, 'ok');
    assert.equal(rev.boot?.version, '1.0.1+0');
    assert.deepEqual(pri.read(0, a.length), a);
    assert.deepEqual(sec.read(c.mode === 'swap-offset' ? S : 0, b.length), b);
    assert.deepEqual(rev.trailers.primary, { magic: 'good', swapType: 4, copyDone: 'set', imageOk: 'set', imageNum: 0 });
    const steady = boot(flash, cfg);
    assert.equal(steady.ops.length, 0);
    assert.equal(steady.boot?.version, '1.0.1+0');
  }), { numRuns: 60 });
});

test('application API writes the trailer bytes of bootutil_public.c in its order (B.7, swap-move, w = 4)', () => {
  const geometry = uniformGeometry({ sectorSize: 1024, count: 64, writeAlign: 4, primary: [16, 8], secondary: [32, 8] });
  const flash = new NorFlash(geometry);
  const pri = openFlashArea(flash, 'primary');
  const sec = openFlashArea(flash, 'secondary');
  const layout = { bootMaxAlign: 8, maxImgSectors: 128, mode: 'swap-move' as const };
  const ops: FlashOp[] = [];
  flash.observe((o) => ops.push({ ...o, ...(o.data ? { data: o.data.slice() } : {}) }));
  const fmt = (): string[] => ops.splice(0).map((o) => `${o.area} 0x${o.areaOff.toString(16)} ${[...(o.data ?? [])].map((x) => x.toString(16).padStart(2, '0')).join('')}`);
  const magic = '77c295f360d2ef7f3552500f2cb67980';
  setPending(sec, layout, false);
  assert.deepEqual(fmt(), [`secondary 0x1ff0 ${magic}`, 'secondary 0x1fd8 02ffffff']);
  setPending(sec, layout, true);
  assert.deepEqual(fmt(), [], 'a second request does nothing (cannot turn TEST into PERM)');
  assert.deepEqual(readSlotState(sec, layout), { magic: 'good', swapType: 2, copyDone: 'unset', imageOk: 'unset', imageNum: 0 });
  assert.equal(setConfirmed(pri, layout).rc, 0);
  assert.deepEqual(fmt(), [], 'confirming a factory image (magic unset) writes nothing');
  flash.erase(sec.off + 0x1c00, 0x400);
  ops.length = 0;
  setPending(sec, layout, true);
  assert.deepEqual(fmt(), [`secondary 0x1ff0 ${magic}`, 'secondary 0x1fe8 01ffffff', 'secondary 0x1fd8 03ffffff']);
  flash.write(pri.off + 0x1ff0, Uint8Array.from(Buffer.from(magic, 'hex')));
  ops.length = 0;
  setConfirmed(pri, layout);
  assert.deepEqual(fmt(), ['primary 0x1fe8 01ffffff']);
  setConfirmed(pri, layout);
  assert.deepEqual(fmt(), []);
  flash.write(sec.off + 0x1c00, new Uint8Array(4));
  flash.erase(pri.off + 0x1c00, 0x400);
  flash.write(pri.off + 0x1ff0, new Uint8Array(16).fill(0x12));
  assert.equal(setConfirmed(pri, layout).rc, 4, 'BOOT_EBADVECT on a corrupt primary magic');
});
