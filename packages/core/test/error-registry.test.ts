// The core's error codes are stable API: each one is unique, well-formed and documented in
// docs/errors.md, and docs/errors.md names no code the registry lacks (STYLE.md §4.7).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CoreErrorCode } from '../src/errors.js';

const docs = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
const documented = new Set([...docs.matchAll(/^\| `(SW_ERR_[A-Z0-9_]+)` \| core \|/gm)].map((m) => m[1]));

test('every core error code has the SW_ERR_<AREA>_<WHAT> shape and a meaning', () => {
  for (const [code, meaning] of Object.entries(CoreErrorCode)) {
    assert.match(code, /^SW_ERR_[A-Z0-9]+_[A-Z0-9_]+$/);
    assert.ok(meaning.length > 10, `${code} needs a one-line meaning`);
  }
});

test('every core error code is documented in docs/errors.md', () => {
  const missing = Object.keys(CoreErrorCode).filter((code) => !documented.has(code));
  assert.deepEqual(missing, []);
});

test('docs/errors.md documents no core code the registry lacks', () => {
  const unknown = [...documented].filter((code) => !(code in CoreErrorCode));
  assert.deepEqual(unknown, []);
});
