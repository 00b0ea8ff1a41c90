import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFlashGeometry } from '../flash/geometry.js';
import { isSlotwiseError } from '../errors.js';
import { openFlashFile } from './flash-file.js';

const geometry = createFlashGeometry({ name: 'tiny', sectors: [4096, 4096, 4096, 4096], writeAlign: 4, erasedValue: 0xff, areas: { primary: { id: 1, off: 0, size: 8192 } } });

test('a flash file is created erased, writes and erases go through, and a reopen sees them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-flash-'));
  try {
    const path = join(dir, 'dev.flash');
    const a = openFlashFile(path, geometry);
    assert.equal(a.created, true);
    assert.equal(statSync(path).size, geometry.size);
    a.flash.write(4096, Uint8Array.of(1, 2, 3, 4));
    a.flash.write(8192, Uint8Array.of(9, 9, 9, 9));
    a.flash.erase(8192, 4096);
    // No close: the process may die at any moment; what was done is already in the file.
    const b = openFlashFile(path, geometry);
    assert.equal(b.created, false);
    assert.deepEqual(b.flash.read(4096, 4), Uint8Array.of(1, 2, 3, 4));
    assert.deepEqual(b.flash.read(8192, 4), Uint8Array.of(0xff, 0xff, 0xff, 0xff));
    assert.throws(() => b.flash.write(4096, Uint8Array.of(0, 0, 0, 0)), 'NOR rules survive the reload: no write over programmed bytes');
    a.close();
    b.close();
    const other = createFlashGeometry({ name: 'bigger', sectors: [4096, 4096, 4096, 4096, 4096], writeAlign: 4, erasedValue: 0xff, areas: {} });
    assert.throws(() => openFlashFile(path, other), (e) => isSlotwiseError(e, 'SW_ERR_INPUT_INVALID'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
