/**
 * Board presets: the vectors' geometries exactly, the simulator devices' maximum image sizes
 * (mcuboot.md A.2) and operation counts for maximal images (A.3), measured on the real C code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BOARD_PRESETS, boardGeometry, findBoardPreset } from '../src/boards/presets.js';
import { createFlashGeometry } from '../src/flash/geometry.js';
import { NorFlash } from '../src/flash/nor-flash.js';
import { openFlashArea } from '../src/flash/flash-area.js';
import { boot, maxImageSize } from '../src/boot/loader.js';
import { setPending } from '../src/boot/public-api.js';
import type { BootConfig, UpgradeMode } from '../src/boot/config.js';
import { isSlotwiseError } from '../src/errors.js';
import { buildImage, hashOnlyValidator, placeImage } from './helpers/test-images.js';
import { loadScenario } from './helpers/boot-vectors.js';

const validator = hashOnlyValidator();
const cfgFor = (mode: UpgradeMode, fast = false): BootConfig => ({ mode, bootMaxAlign: 8, maxImgSectors: 128, validatePrimarySlot: true, validator, ...(fast ? { overwriteFast: true } : {}) });
const withAlign = (name: string, w: number) => {
  const p = findBoardPreset(name);
  assert.ok(p);
  return createFlashGeometry({ ...p.geometry, writeAlign: w });
};

test('the vector geometries are the presets nrf52840, stm32u5, stm32f4', () => {
  for (const [name, path] of [['nrf52840', 'nrf52840/swap-move/permanent'], ['stm32u5', 'stm32u5/swap-move/permanent'], ['stm32f4', 'stm32f4/swap-scratch/permanent']] as const) {
    const v = loadScenario(path);
    const p = findBoardPreset(name);
    assert.ok(p);
    assert.deepEqual(p.geometry.sectors, v.geometry.sectors);
    assert.equal(p.geometry.writeAlign, v.geometry.write_align);
    assert.deepEqual(p.geometry.areas, v.geometry.areas);
    assert.equal(p.bootMaxAlign, v.config.boot_max_align);
  }
});

test('every preset builds; unknown names get a typed error listing the presets', () => {
  for (const p of BOARD_PRESETS) assert.ok(boardGeometry(p.name).size > 0);
  assert.throws(() => boardGeometry('nope'), (e: unknown) => isSlotwiseError(e, 'SW_ERR_BOOT_CONFIG_INVALID') && e.message.includes('k64f'));
});

test('maximum image sizes match mcuboot.md A.2', () => {
  const cases: [string, UpgradeMode, number, number][] = [
    ['k64f', 'swap-scratch', 1, 130640], ['k64f', 'swap-scratch', 8, 127952], ['k64fbig', 'swap-scratch', 4, 129488],
    ['stm32f4', 'swap-scratch', 2, 130256], ['nrf52840', 'swap-scratch', 1, 212560], ['nrf52840', 'swap-scratch', 8, 209872],
    ['k64f', 'swap-move', 4, 122880], ['nrf52840', 'swap-move', 1, 204800], ['nrf52840-unequal', 'swap-move', 4, 237568],
    ['k64f', 'swap-offset', 8, 122880], ['nrf52840-unequal-larger-slot1', 'swap-offset', 4, 237568], ['psoc-edge-e8x', 'swap-offset', 4, 57344],
    ['k64f', 'overwrite-only', 1, 131032], ['nrf52840', 'overwrite-only', 4, 212952],
  ];
  for (const [board, mode, w, expected] of cases) assert.equal(maxImageSize(withAlign(board, w), cfgFor(mode)), expected, `${board} ${mode} w=${w}`);
});

function opCounts(board: string, w: number, mode: UpgradeMode, fast = false): [number, number, number] {
  const geometry = withAlign(board, w);
  const cfg = cfgFor(mode, fast);
  const max = maxImageSize(geometry, cfg);
  const run = (permanent: boolean): [number, number] => {
    const flash = new NorFlash(geometry);
    const pri = openFlashArea(flash, 'primary');
    const sec = openFlashArea(flash, 'secondary');
    placeImage(flash, pri.off, buildImage(max, 0, 1));
    placeImage(flash, sec.off + (mode === 'swap-offset' ? (sec.sectors()[0] as { size: number }).size : 0), buildImage(max, 1, 2));
    setPending(sec, { bootMaxAlign: 8, maxImgSectors: 128, mode }, permanent);
    const first = boot(flash, cfg);
    assert.equal(first.boot?.version, '1.0.1+0');
    return [first.ops.length, boot(flash, cfg).ops.length];
  };
  const [test1, revert] = run(false);
  const [perm] = run(true);
  return [test1, revert, perm];
}

test('operation counts for maximal images match mcuboot.md A.3', () => {
  assert.deepEqual(opCounts('k64f', 1, 'swap-scratch'), [585, 586, 587]);
  assert.deepEqual(opCounts('k64f', 8, 'swap-scratch'), [576, 577, 578]);
  assert.deepEqual(opCounts('stm32f4', 4, 'swap-scratch'), [400, 401, 402]);
  assert.deepEqual(opCounts('k64fbig', 2, 'swap-scratch'), [399, 400, 401]);
  assert.deepEqual(opCounts('nrf52840', 4, 'swap-scratch'), [810, 811, 812]);
  assert.deepEqual(opCounts('k64f', 2, 'swap-move'), [546, 551, 547]);
  assert.deepEqual(opCounts('nrf52840-unequal', 4, 'swap-move'), [1050, 1055, 1051]);
  assert.deepEqual(opCounts('k64f', 4, 'swap-offset'), [367, 376, 368]);
  assert.deepEqual(opCounts('psoc-edge-e8x', 4, 'swap-offset'), [175, 184, 176]);
  assert.deepEqual(opCounts('nrf52840-unequal-larger-slot1', 4, 'swap-offset'), [703, 712, 704]);
  assert.equal(opCounts('k64f', 1, 'overwrite-only')[0], 162);
  assert.equal(opCounts('k64f', 1, 'overwrite-only', true)[0], 164);
  assert.equal(opCounts('nrf52840', 4, 'overwrite-only', true)[2], 264);
});
