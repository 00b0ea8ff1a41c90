import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileSettings } from './file-settings.js';

test('file settings: the saved action and the boot counter survive reopening (a process restart)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slotwise-settings-'));
  try {
    const path = join(dir, 'dev.flash.settings');
    const first = openFileSettings(path);
    assert.equal(first.load(), null);
    assert.equal(first.nextBootId(), 1);
    first.save({ actionId: '7', version: '2.0.0' });
    assert.equal(existsSync(`${path}.tmp`), false, 'replaced atomically, no leftover');
    const second = openFileSettings(path);
    assert.deepEqual(second.load(), { actionId: '7', version: '2.0.0' });
    assert.equal(second.nextBootId(), 2);
    second.save(null);
    assert.equal(openFileSettings(path).load(), null);
    writeFileSync(path, '{"format":1,"bootCount":"x"}');
    assert.throws(() => openFileSettings(path), (e: Error & { code?: string }) => e.code === 'SW_ERR_INPUT_INVALID' && /delete it/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
