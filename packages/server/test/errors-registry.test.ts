/**
 * The server's error registry and docs/errors.md agree exactly (STYLE.md §4.7): every code is
 * documented with its HTTP status, nothing documented is missing from the code, codes are unique
 * and follow SW_ERR_<AREA>_<WHAT>, and none collides with a core code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CoreErrorCode } from '@slotwise/core';
import { ServerErrorCode } from '../src/http/errors.js';

const docs = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');

function serverSection(): string {
  const start = docs.indexOf('## Server');
  assert.ok(start >= 0, 'docs/errors.md has a "## Server" section');
  const next = docs.indexOf('\n## ', start + 1);
  return docs.slice(start, next < 0 ? undefined : next);
}

test('every server error code is documented with its status, and only those', () => {
  const section = serverSection();
  const retired = section.slice(section.indexOf('### Retired'));
  const active = section.slice(0, section.indexOf('### Retired'));
  const documented = new Map<string, number>();
  for (const m of active.matchAll(/^\|\s*`(SW_ERR_[A-Z0-9_]+)`\s*\|\s*(\d{3})\s*\|/gm)) {
    assert.ok(!documented.has(m[1] ?? ''), `${m[1]} documented twice`);
    documented.set(m[1] ?? '', Number(m[2]));
  }
  for (const [code, { status }] of Object.entries(ServerErrorCode)) {
    assert.equal(documented.get(code), status, `${code} documented with HTTP ${status}`);
    assert.ok(!retired.includes(code), `${code} is active but listed as retired`);
  }
  assert.deepEqual([...documented.keys()].sort(), Object.keys(ServerErrorCode).sort());
});

test('codes are well-formed and do not collide with the core registry', () => {
  for (const code of Object.keys(ServerErrorCode)) {
    assert.match(code, /^SW_ERR_[A-Z]+(_[A-Z0-9]+)+$/);
    assert.ok(!(code in CoreErrorCode), `${code} is also a core code`);
  }
});
