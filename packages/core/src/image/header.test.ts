/** Unit tests of the 32-byte header decoder and imgtool version syntax/comparison. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hex } from '../bytes/hex.js';
import { flagNames, parseImageHeader } from './header.js';
import { compareVersions, formatVersion, parseVersion } from './version.js';

test('parseImageHeader reads the 32-byte header and judges only the magic', () => {
  const bytes = hex`3d b8 f3 96 00 00 00 20 20 00 1c 00 00 10 00 00 20 00 00 00 01 02 03 00 04 00 00 00 00 00 00 00`;
  const r = parseImageHeader(bytes);
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.deepEqual(r.header, { magic: 0x96f3b83d, loadAddr: 0x20000000, hdrSize: 32, protectTlvSize: 28, imgSize: 4096, flags: 0x20, version: { major: 1, minor: 2, revision: 3, build: 4 }, pad1: 0 });
  assert.deepEqual(flagNames(r.header.flags), ['RAM_LOAD']);
  const v1 = bytes.slice();
  v1[0] = 0x3c;
  const bad = parseImageHeader(v1);
  assert.ok(!bad.ok && bad.reason === 'INVALID_MAGIC');
  const short = parseImageHeader(bytes.subarray(0, 31));
  assert.ok(!short.ok && short.reason === 'TRUNCATED');
  assert.deepEqual(flagNames(0x1000_0011), ['PIC', 'NON_BOOTABLE', '0x10000000']);
});

test('versions parse like imgtool and compare like the bootloader', () => {
  const ok = (s: string): string => {
    const r = parseVersion(s);
    assert.ok(r.ok, s);
    return r.ok ? formatVersion(r.version) : '';
  };
  assert.equal(ok('1'), '1.0.0+0');
  assert.equal(ok('1.2'), '1.2.0+0');
  assert.equal(ok('255.255.65535+4294967295'), '255.255.65535+4294967295');
  for (const bad of ['1.2.3.4', '1.02.3', '01', '1.2.3+', 'a', '', '1.-2']) {
    const r = parseVersion(bad);
    assert.ok(!r.ok && r.reason === 'SYNTAX', bad);
  }
  const range = parseVersion('256.0.0');
  assert.ok(!range.ok && range.reason === 'RANGE');
  const v = (major: number, minor: number, revision: number, build: number) => ({ major, minor, revision, build });
  assert.equal(compareVersions(v(1, 2, 3, 9), v(1, 2, 3, 0)), 0);
  assert.equal(compareVersions(v(1, 2, 3, 9), v(1, 2, 3, 0), true), 1);
  assert.equal(compareVersions(v(1, 2, 3, 0), v(1, 3, 0, 0)), -1);
});

test('imgtool integer syntax (Python int(x, 0))', async () => {
  const { parseImgtoolInt } = await import('./imgtool-values.js');
  assert.equal(parseImgtoolInt('0x20'), 32);
  assert.equal(parseImgtoolInt('0X20'), 32);
  assert.equal(parseImgtoolInt('0o17'), 15);
  assert.equal(parseImgtoolInt('0b101'), 5);
  assert.equal(parseImgtoolInt('00'), 0);
  assert.equal(parseImgtoolInt('1_000'), 1000);
  assert.throws(() => parseImgtoolInt('010'));
  assert.throws(() => parseImgtoolInt('0x'));
  assert.throws(() => parseImgtoolInt('12a'));
});
