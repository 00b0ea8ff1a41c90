/**
 * `slotwise sim run` as a process: the same scenario and seed give the same JSON report and
 * digest across processes; another seed another digest; a bad scenario exits 3 naming the field.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliMain } from './image-harness.js';

const scenario = fileURLToPath(new URL('../../../examples/canary-bad-build.json', import.meta.url));
const sim = (...args: string[]) => spawnSync(process.execPath, [cliMain, 'sim', ...args], { encoding: 'utf8' });

test('sim run --json: identical across processes for one seed, different for another', () => {
  const a = sim('run', scenario, '--json', '--devices', '10');
  const b = sim('run', scenario, '--json', '--devices', '10');
  assert.equal(a.status, 0, a.stderr);
  assert.equal(a.stdout, b.stdout);
  const ja = JSON.parse(a.stdout) as { devices: number; seed: number; digest: string; outcomes: Record<string, number> };
  assert.equal(ja.devices, 10);
  assert.equal(ja.seed, 3);
  assert.match(ja.digest, /^[0-9a-f]{16}$/);
  assert.deepEqual(Object.keys(ja.outcomes).sort(), ['bricked', 'failed', 'pending', 'rolled_back', 'updated']);
  const c = sim('run', scenario, '--json', '--devices', '10', '--seed', '4');
  assert.notEqual((JSON.parse(c.stdout) as { digest: string }).digest, ja.digest);
});

test('sim run prints the text report and a device trace', () => {
  const r = sim('run', scenario, '--devices', '6', '--trace-device', 'sim-000001');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Outcomes: updated 0, rolled back \d+, failed 0, pending \d+, bricked 0/);
  assert.match(r.stdout, /Trace digest: [0-9a-f]{16}/);
  assert.match(r.stdout, /Trace of sim-000001:\n.*sim-000001 boot 2\.0\.0/);
});

test('a bad scenario exits 3 with the path of the bad field; bad options exit 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-sim-'));
  try {
    const s = JSON.parse(readFileSync(scenario, 'utf8')) as { groups: Array<Record<string, unknown>> };
    s.groups[0]!['board'] = 'esp32-c3';
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify(s));
    const r = sim('run', file);
    assert.equal(r.status, 3);
    assert.match(r.stderr, /\$\.groups\[0\]\.board: unknown board preset "esp32-c3".*\[SW_ERR_SIM_SCENARIO_INVALID\]/);
    assert.equal(sim('run', scenario, '--devices', 'many').status, 2);
    assert.equal(sim('walk').status, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
