/**
 * The golden operation traces of mcuboot.md Appendix B (produced by the real C code): 64 x 1 KiB
 * device, 8 KiB slots, 1 KiB scratch, w = 1, hash-only images A (3072 bytes) and B (4072 bytes).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NorFlash, type FlashOp } from '../src/flash/nor-flash.js';
import { openFlashArea } from '../src/flash/flash-area.js';
import { boot } from '../src/boot/loader.js';
import { setPending } from '../src/boot/public-api.js';
import type { BootConfig, UpgradeMode } from '../src/boot/config.js';
import { buildImage, hashOnlyValidator, placeImage, uniformGeometry } from './helpers/test-images.js';

const geometry = uniformGeometry({ sectorSize: 1024, count: 64, writeAlign: 1, primary: [16, 8], secondary: [32, 8], scratch: [48, 1] });
const short: Record<string, string> = { primary: 'PRI', secondary: 'SEC', scratch: 'SCR' };
const fmt = (o: FlashOp): string => o.op === 'erase'
  ? `E ${short[o.area as string]} 0x${o.areaOff.toString(16).padStart(4, '0')} 0x${o.len.toString(16)}`
  : `W ${short[o.area as string]} 0x${o.areaOff.toString(16).padStart(4, '0')} ${o.len}${o.len <= 16 && o.data ? ' : ' + [...o.data].map((b) => b.toString(16).padStart(2, '0')).join(' ') : ''}`;

function setup(mode: UpgradeMode, bSize = 4072, extra: Partial<BootConfig> = {}): { flash: NorFlash; cfg: BootConfig } {
  const flash = new NorFlash(geometry);
  placeImage(flash, 0x4000, buildImage(3072, 1, 1));
  placeImage(flash, mode === 'swap-offset' ? 0x8400 : 0x8000, buildImage(bSize, 2, 2));
  const cfg: BootConfig = { mode, bootMaxAlign: 8, maxImgSectors: 128, validatePrimarySlot: true, validator: hashOnlyValidator(), ...extra };
  setPending(openFlashArea(flash, 'secondary'), { bootMaxAlign: 8, maxImgSectors: 128, mode }, false);
  return { flash, cfg };
}
const MAGIC = '77 c2 95 f3 60 d2 ef 7f 35 52 50 0f 2c b6 79 80';

test('B.1 swap-scratch TEST upgrade: 46 ops as the C code, then REVERT 47, then nothing', () => {
  const { flash, cfg } = setup('swap-scratch');
  const r = boot(flash, cfg);
  const expected = [
    'E SCR 0x0000 0x400', 'W SCR 0x03d8 1 : 02', 'W SCR 0x03d0 4 : e8 0f 00 00', `W SCR 0x03f0 16 : ${MAGIC}`,
    'E PRI 0x1c00 0x400', 'W PRI 0x1fd8 1 : 02', 'W PRI 0x1fd0 4 : e8 0f 00 00', `W PRI 0x1ff0 16 : ${MAGIC}`,
    'E SCR 0x0000 0x400', 'W SCR 0x0000 1024', 'W PRI 0x1e50 1 : 01', 'E SEC 0x1c00 0x400', 'E SEC 0x0c00 0x400',
    'W SEC 0x0c00 1024', 'W PRI 0x1e51 1 : 02', 'E PRI 0x0c00 0x400', 'W PRI 0x0c00 1024', 'W PRI 0x1e52 1 : 03',
  ];
  for (const [k, s] of [[3, 0x800], [6, 0x400], [9, 0]] as const) {
    const a = (n: number): string => `0x${(0x1e50 + n).toString(16)}`;
    const o = `0x${s.toString(16).padStart(4, '0')}`;
    expected.push('E SCR 0x0000 0x400', `W SCR 0x0000 1024`, `W PRI ${a(k)} 1 : 01`, `E SEC ${o} 0x400`, `W SEC ${o} 1024`,
      `W PRI ${a(k + 1)} 1 : 02`, `E PRI ${o} 0x400`, `W PRI ${o} 1024`, `W PRI ${a(k + 2)} 1 : 03`);
  }
  expected.push('W PRI 0x1fe0 1 : 01');
  assert.deepEqual(r.ops.map(fmt), expected);
  assert.equal(r.boot?.version, '2.0.1+0');
  const rev = boot(flash, cfg);
  assert.equal(rev.ops.length, 47);
  assert.deepEqual(rev.ops.slice(-2).map(fmt), ['W PRI 0x1fe8 1 : 01', 'W PRI 0x1fe0 1 : 01']);
  assert.equal(rev.boot?.version, '1.0.1+0');
  assert.equal(boot(flash, cfg).ops.length, 0);
});

test('B.2 swap-scratch with the trailer in the first region (use_scratch): 81 ops, resumes at op 10 with 72', () => {
  const { flash, cfg } = setup('swap-scratch', 7760);
  const start = flash.snapshot();
  const r = boot(flash, cfg);
  assert.equal(r.ops.length, 81);
  assert.deepEqual(r.ops.slice(0, 16).map(fmt), [
    'E SCR 0x0000 0x400', 'W SCR 0x03d8 1 : 02', 'W SCR 0x03d0 4 : 50 1e 00 00', `W SCR 0x03f0 16 : ${MAGIC}`, 'W SCR 0x0000 592',
    'W SCR 0x03cd 1 : 01', 'E SEC 0x1c00 0x400', 'W SEC 0x1c00 592', 'W SCR 0x03ce 1 : 02', 'E PRI 0x1c00 0x400', 'W PRI 0x1c00 592',
    'W PRI 0x1e50 2 : 01 02', 'W PRI 0x1fd8 1 : 02', 'W PRI 0x1fd0 4 : 50 1e 00 00', `W PRI 0x1ff0 16 : ${MAGIC}`, 'W PRI 0x1e52 1 : 03',
  ]);
  flash.restore(start);
  flash.armPowerCut(10);
  assert.throws(() => boot(flash, cfg), (e: unknown) => (e as { name?: string }).name === 'PowerLoss');
  const resumed = boot(flash, cfg);
  assert.equal(resumed.ops.length, 72);
  assert.equal(fmt(resumed.ops[0] as FlashOp), 'E PRI 0x1c00 0x400');
  assert.equal(resumed.boot?.version, '2.0.1+0');
});

test('B.3 swap-scratch with w = 8: copy size clamped to the scratch status start, 60 ops', () => {
  const g8 = uniformGeometry({ sectorSize: 1024, count: 64, writeAlign: 8, primary: [16, 8], secondary: [32, 8], scratch: [48, 1] });
  const flash = new NorFlash(g8);
  placeImage(flash, 0x4000, buildImage(3072, 1, 1));
  placeImage(flash, 0x8000, buildImage(5048, 2, 2));
  setPending(openFlashArea(flash, 'secondary'), { bootMaxAlign: 8, maxImgSectors: 128, mode: 'swap-scratch' }, false);
  const r = boot(flash, { mode: 'swap-scratch', bootMaxAlign: 8, maxImgSectors: 128, validatePrimarySlot: true, validator: hashOnlyValidator() });
  assert.equal(r.ops.length, 60);
  const w8 = (b: string): string => `${b} ff ff ff ff ff ff ff`;
  assert.deepEqual(r.ops.slice(0, 24).map(fmt), ['E SCR 0x0000 0x400', `W SCR 0x03d8 8 : ${w8('02')}`, 'W SCR 0x03d0 8 : b8 13 00 00 ff ff ff ff', `W SCR 0x03f0 16 : ${MAGIC}`,
    'W SCR 0x0000 952', `W SCR 0x03b8 8 : ${w8('01')}`, 'E SEC 0x1c00 0x400', 'E SEC 0x1800 0x400', 'E SEC 0x1400 0x400', 'E SEC 0x1000 0x400', 'W SEC 0x1000 952',
    `W SCR 0x03c0 8 : ${w8('02')}`, 'E PRI 0x1c00 0x400', 'E PRI 0x1800 0x400', 'E PRI 0x1400 0x400', 'E PRI 0x1000 0x400', 'W PRI 0x1000 952',
    `W PRI 0x13b8 16 : ${w8('01')} ${w8('02')}`, `W PRI 0x1fd8 8 : ${w8('02')}`, 'W PRI 0x1fd0 8 : b8 13 00 00 ff ff ff ff', `W PRI 0x1ff0 16 : ${MAGIC}`,
    `W PRI 0x13e0 8 : ${w8('03')}`, 'E SCR 0x0000 0x400', 'E SCR 0x0000 0x400']);
  assert.equal(r.boot?.version, '2.0.1+0');
});

test('B.4 swap-move: TEST 42 ops, REVERT 47 ops starting with the fix-up', () => {
  const { flash, cfg } = setup('swap-move');
  const r = boot(flash, cfg);
  assert.equal(r.ops.length, 42);
  assert.deepEqual(r.ops.slice(0, 8).map(fmt), ['E PRI 0x1c00 0x400', 'W PRI 0x1fd8 1 : 02', 'W PRI 0x1fd0 4 : e8 0f 00 00', `W PRI 0x1ff0 16 : ${MAGIC}`,
    'E SEC 0x1c00 0x400', 'E PRI 0x1000 0x400', 'W PRI 0x1000 1024', 'W PRI 0x1e50 1 : 01']);
  const rev = boot(flash, cfg);
  assert.equal(rev.ops.length, 47);
  assert.deepEqual(rev.ops.slice(0, 10).map(fmt), ['E SEC 0x1c00 0x400', 'W SEC 0x1fe8 1 : 01', 'W SEC 0x1fd0 4 : e8 0f 00 00', `W SEC 0x1ff0 16 : ${MAGIC}`,
    'E PRI 0x1c00 0x400', 'W PRI 0x1fd8 1 : 04', 'W PRI 0x1fe8 1 : 01', 'W PRI 0x1fd0 4 : e8 0f 00 00', `W PRI 0x1ff0 16 : ${MAGIC}`, 'E SEC 0x1c00 0x400']);
  assert.equal(fmt(rev.ops[46] as FlashOp), 'W PRI 0x1fe0 1 : 01');
  assert.equal(rev.boot?.version, '1.0.1+0');
});

test('B.5 swap-offset: TEST 31 ops, REVERT 40 ops', () => {
  const { flash, cfg } = setup('swap-offset');
  const r = boot(flash, cfg);
  assert.equal(r.ops.length, 31);
  assert.deepEqual(r.ops.slice(0, 9).map(fmt), ['E PRI 0x1c00 0x400', 'W PRI 0x1fd8 1 : 02', 'W PRI 0x1fc8 4 : e8 0f 00 00', 'W PRI 0x1fd0 4 : 28 00 28 00',
    `W PRI 0x1ff0 16 : ${MAGIC}`, 'E SEC 0x1c00 0x400', 'E SEC 0x0000 0x400', 'W SEC 0x0000 1024', 'W PRI 0x1ec8 1 : 01']);
  const rev = boot(flash, cfg);
  assert.equal(rev.ops.length, 40);
  assert.deepEqual(rev.ops.slice(0, 2).map(fmt), ['E SEC 0x1c00 0x400', 'W SEC 0x1fe0 1 : 01']);
  assert.deepEqual(rev.ops.slice(-4).map(fmt), ['E SEC 0x0000 0x400', 'E SEC 0x1c00 0x400', 'W PRI 0x1fe8 1 : 01', 'W PRI 0x1fe0 1 : 01']);
  assert.equal(rev.boot?.version, '1.0.1+0');
});

test('B.6 overwrite-only: 18 ops; FAST: 12 ops copying 4073 bytes', () => {
  const slow = setup('overwrite-only');
  assert.equal(boot(slow.flash, slow.cfg).ops.length, 18);
  const fast = setup('overwrite-only', 4072, { overwriteFast: true });
  const r = boot(fast.flash, fast.cfg);
  assert.deepEqual(r.ops.map(fmt), ['E PRI 0x0000 0x400', 'E PRI 0x0400 0x400', 'E PRI 0x0800 0x400', 'E PRI 0x0c00 0x400', 'E PRI 0x1c00 0x400',
    'W PRI 0x0000 1024', 'W PRI 0x0400 1024', 'W PRI 0x0800 1024', 'W PRI 0x0c00 1001', `W PRI 0x1ff0 16 : ${MAGIC}`, 'E SEC 0x0000 0x400', 'E SEC 0x1c00 0x400']);
  assert.equal(r.boot?.version, '2.0.1+0');
});
