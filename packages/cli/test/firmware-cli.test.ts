/**
 * `slotwise firmware build|show` as a process: the built image verifies with the image module
 * and carries the descriptor; usage and input errors give their exit codes and leave no file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeCrypto } from '@slotwise/core/node/crypto';
import { loadKey } from '@slotwise/core/image/keys';
import { verifyImage } from '@slotwise/core/image/verify';
import { readFirmware } from '@slotwise/core/device/firmware';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const KEY = fileURLToPath(new URL('../../../../shared/vectors/image/keys/root-ec-p256.pem', import.meta.url));

const cli = (...args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8' });

test('firmware build writes a signed image carrying the descriptor; show prints it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-fw-'));
  try {
    const out = join(dir, 'fw.bin');
    const r = cli('firmware', 'build', '--version', '1.2.0', '--fault', 'never-confirms', '--fault', 'crash-after=5000', '--interval-ms', '30000', '--size', '8192', '--key', KEY, '-o', out);
    assert.equal(r.status, 0, r.stderr);
    const bytes = new Uint8Array(readFileSync(out));
    assert.equal(verifyImage(bytes, { crypto: nodeCrypto, keys: loadKey(readFileSync(KEY, 'utf8'), nodeCrypto) }).ok, true);
    const fw = readFirmware(bytes);
    assert.ok(fw.ok);
    assert.deepEqual(fw.descriptor, { version: '1.2.0', sampleIntervalMs: 30_000, faults: { neverConfirms: true, crashAfterMs: 5000 } });
    const shown = cli('firmware', 'show', out);
    assert.equal(shown.status, 0);
    assert.deepEqual(JSON.parse(shown.stdout), fw.descriptor);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('firmware build: usage errors exit 2, unusable inputs exit 3, and no output file appears', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-fw-'));
  try {
    const out = join(dir, 'fw.bin');
    assert.equal(cli('firmware', 'build', '--version', '1.2.0', '--fault', 'melts', '--key', KEY, '-o', out).status, 2);
    assert.equal(cli('firmware', 'build', '--version', '1.2.0', '-o', out).status, 2);
    assert.equal(cli('firmware', 'build', '--version', '1.2.x', '--key', KEY, '-o', out).status, 3);
    assert.equal(cli('firmware', 'build', '--version', '1.2.0', '--key', join(dir, 'nope.pem'), '-o', out).status, 3);
    assert.equal(existsSync(out), false);
    assert.equal(cli('firmware', 'show', join(dir, 'nope.bin')).status, 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
