/**
 * The NOR model: MCUboot simflash rules (whole-sector erase, aligned writes, one program per
 * erase), fault injection, wear counts, sparse storage and exact snapshot/restore.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createFlashGeometry } from '../src/flash/geometry.js';
import { NorFlash } from '../src/flash/nor-flash.js';
import { isPowerLoss, type PowerLoss } from '../src/flash/power-loss.js';
import { isSlotwiseError } from '../src/errors.js';
import { createRandom } from '../src/sim/random.js';

const geo = (sizes: number[], w: number, erased = 0xff) => createFlashGeometry({ sectors: sizes, writeAlign: w, erasedValue: erased, areas: {} });
const arbGeometry = fc.record({
  sizes: fc.array(fc.constantFrom(64, 128, 256), { minLength: 1, maxLength: 8 }),
  w: fc.constantFrom(1, 2, 4, 8, 16),
  erased: fc.constantFrom(0xff, 0x00),
});

test('every write to a programmed byte is refused with SW_ERR_FLASH_NOR_VIOLATION and changes nothing', () => {
  fc.assert(fc.property(arbGeometry, fc.nat(), fc.nat(), (g, a, b) => {
    const flash = new NorFlash(geo(g.sizes, g.w, g.erased));
    const size = flash.size;
    const off1 = Math.floor((a % size) / g.w) * g.w;
    const first = new Uint8Array(g.w).fill(g.erased ^ 0x5a);
    flash.write(off1, first);
    const before = flash.toBytes();
    // A second aligned write overlapping off1 (even with identical data) must be refused.
    const k = off1 >= g.w && b % 2 === 1 ? 1 : 0;
    const off2 = off1 - k * g.w;
    const len = (k + 1) * g.w;
    assert.throws(() => flash.write(off2, new Uint8Array(len).fill(g.erased ^ 0x5a)), (e: unknown) => isSlotwiseError(e, 'SW_ERR_FLASH_NOR_VIOLATION'));
    assert.deepEqual(flash.toBytes(), before);
    assert.equal(flash.opCount, 1);
  }));
});

test('misaligned writes and partial-sector erases are refused', () => {
  fc.assert(fc.property(arbGeometry, fc.nat(), fc.nat(), (g, a, b) => {
    const flash = new NorFlash(geo(g.sizes, g.w, g.erased));
    if (g.w > 1) {
      const off = (a % (flash.size - g.w)) | 1;
      assert.throws(() => flash.write(off, new Uint8Array(g.w)), (e: unknown) => isSlotwiseError(e, 'SW_ERR_FLASH_NOR_VIOLATION'));
      assert.throws(() => flash.write(0, new Uint8Array(g.w + 1)), (e: unknown) => isSlotwiseError(e, 'SW_ERR_FLASH_NOR_VIOLATION'));
    }
    const s = flash.geometry.sectors[b % flash.geometry.sectors.length] as { off: number; size: number };
    assert.throws(() => flash.erase(s.off + 1, s.size - 1), (e: unknown) => isSlotwiseError(e, 'SW_ERR_FLASH_NOR_VIOLATION'));
    assert.throws(() => flash.erase(s.off, s.size - 1), (e: unknown) => isSlotwiseError(e, 'SW_ERR_FLASH_NOR_VIOLATION'));
    assert.throws(() => flash.erase(0, flash.size + 64), (e: unknown) => isSlotwiseError(e, 'SW_ERR_FLASH_OUT_OF_RANGE'));
    assert.equal(flash.opCount, 0);
  }));
});

test('erase makes bytes writable again, counts wear per sector and drops the sector buffer', () => {
  const flash = new NorFlash(geo([256, 256, 256], 4));
  flash.write(256, Uint8Array.of(1, 2, 3, 4));
  assert.equal(flash.residentSectors(), 1);
  flash.erase(256, 256);
  flash.erase(256, 512);
  assert.deepEqual([...flash.eraseCounts()], [0, 2, 1]);
  assert.equal(flash.residentSectors(), 0);
  flash.write(256, Uint8Array.of(9, 9, 9, 9));
  assert.deepEqual([...flash.read(256, 4)], [9, 9, 9, 9]);
});

test('loaded bytes equal to the erased value count as erased; writing the erased value leaves a byte erased', () => {
  const flash = new NorFlash(geo([64], 4));
  flash.load(0, Uint8Array.of(0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4));
  flash.write(0, Uint8Array.of(5, 6, 7, 8));
  assert.throws(() => flash.write(4, Uint8Array.of(1, 2, 3, 4)), (e: unknown) => isSlotwiseError(e, 'SW_ERR_FLASH_NOR_VIOLATION'));
  flash.write(8, Uint8Array.of(0xff, 0xff, 0xff, 0xff));
  flash.write(8, Uint8Array.of(1, 1, 1, 1));
  assert.deepEqual([...flash.read(0, 12)], [5, 6, 7, 8, 1, 2, 3, 4, 1, 1, 1, 1]);
});

test('power cut at op N refuses exactly the N-th op; observers see ops 1..N-1 in order', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 12 }), (n) => {
    const flash = new NorFlash(geo([64, 64, 64, 64], 1));
    const seen: string[] = [];
    flash.observe((op) => seen.push(`${op.op}@${op.off}`));
    flash.armPowerCut(n);
    let signal: PowerLoss | undefined;
    try {
      for (let i = 0; i < 12; i++) {
        if (i % 3 === 0) flash.erase((i % 4) * 64, 64);
        else flash.write(i * 16, Uint8Array.of(i));
      }
    } catch (e) {
      if (!isPowerLoss(e)) throw e;
      signal = e;
    }
    assert.ok(signal);
    assert.equal(seen.length, n - 1);
    assert.equal(signal.opsCompleted, n - 1);
    assert.equal(flash.opCount, n - 1);
  }));
});

test('a torn write lands a seeded prefix of the data and garbage after it, then signals power loss', () => {
  const run = (seed: number): Uint8Array => {
    const flash = new NorFlash(geo([256], 1));
    flash.armTornWrite(1, createRandom(seed));
    assert.throws(() => flash.write(0, new Uint8Array(64).fill(0x11)), (e: unknown) => isPowerLoss(e) && e.torn);
    return flash.read(0, 64);
  };
  assert.deepEqual(run(7), run(7));
  const seeds = [1, 2, 3, 4, 5, 6].map(run);
  assert.ok(seeds.some((b) => b.some((x) => x !== 0x11)), 'some torn write carries garbage');
  assert.ok(seeds.some((b) => b[0] === 0x11), 'some torn write lands a correct prefix');
});

test('snapshot/restore is exact: content and wear return to the snapshot, and later writes do not leak into it', () => {
  const arbOp = fc.oneof(
    fc.record({ k: fc.constant('erase' as const), s: fc.nat(7) }),
    fc.record({ k: fc.constant('write' as const), off: fc.nat(1023), v: fc.integer({ min: 1, max: 254 }) }),
  );
  fc.assert(fc.property(fc.array(arbOp, { maxLength: 30 }), fc.array(arbOp, { maxLength: 30 }), (before, after) => {
    const flash = new NorFlash(geo(new Array<number>(8).fill(128), 4));
    const apply = (ops: typeof before): void => {
      for (const o of ops) {
        if (o.k === 'erase') flash.erase(o.s * 128, 128);
        else {
          const off = Math.floor(o.off / 4) * 4;
          if (flash.read(off, 4).every((b) => b === 0xff)) flash.write(off, new Uint8Array(4).fill(o.v));
        }
      }
    };
    apply(before);
    const bytes = flash.toBytes();
    const wear = flash.eraseCounts();
    const snap = flash.snapshot();
    apply(after);
    const other = flash.clone();
    flash.restore(snap);
    assert.deepEqual(flash.toBytes(), bytes);
    assert.deepEqual(flash.eraseCounts(), wear);
    assert.ok(flash.equalsSnapshot(snap));
    apply(after);
    assert.deepEqual(flash.toBytes(), other.toBytes());
    flash.restore(snap);
    assert.deepEqual(flash.toBytes(), bytes);
  }));
});

test('untouched sectors cost nothing: a fresh 1 MiB flash holds no sector buffer', () => {
  const flash = new NorFlash(geo(new Array<number>(256).fill(4096), 4));
  assert.equal(flash.residentSectors(), 0);
  assert.ok(flash.read(0, 16).every((b) => b === 0xff));
  flash.write(4096 * 10, Uint8Array.of(1, 2, 3, 4));
  assert.equal(flash.residentSectors(), 1);
});
