/**
 * `slotwise flash` end to end: the built binary on temp flash files, held to the boot vectors
 * (../shared/vectors/boot): create reproduces the initial flash, set-pending + boot reproduce
 * the op traces, flash hashes and decisions, `--cut-at N` + boot reproduce the sweep files'
 * recovery, a SIGKILL mid-boot leaves a file the next boot recovers from, sweep exit codes,
 * inspect shapes and typed errors. Run `npm run build` first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const cliMain = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const BOOT = fileURLToPath(new URL('../../../../shared/vectors/boot/', import.meta.url));
const KEY = fileURLToPath(new URL('../../../../shared/vectors/image/keys/root-ec-p256.pem', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'slotwise-flash-'));

interface Run { code: number | null; stdout: string; stderr: string }
function flash(...args: string[]): Run {
  const r = spawnSync(process.execPath, [cliMain, 'flash', ...args], { cwd: dir, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const json = (r: Run): Record<string, unknown> => JSON.parse(r.stdout) as Record<string, unknown>;
const sha256File = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');

interface VOp { op: string; off: number; len: number; area: string; area_off: number; sha256?: string; data?: string }
interface VResult { outcome: string; ops: number; trace_sha256: string; flash_sha256: string; boot?: { image_off: number; version: string }; trailers?: unknown }
interface Scenario {
  config: { signature: string };
  initial_flash: { sha256: string };
  images: { name: string; file: string }[];
  sequence: { action: string; ops: VOp[]; result: VResult }[];
}
const scenarioPath = (p: string): string => join(BOOT, p, 'scenario.json');
const loadScenario = (p: string): Scenario => JSON.parse(readFileSync(scenarioPath(p), 'utf8')) as Scenario;
interface VCut { cut_at: number; ops_completed: number; refused_op: VOp; flash_sha256_after_cut: string; recovery: VResult }
const loadSweep = (p: string, step: number): { cuts: VCut[] } => JSON.parse(gunzipSync(readFileSync(join(BOOT, p, `sweep-step${step}.json.gz`))).toString('utf8')) as { cuts: VCut[] };

/** A fresh flash file for a scenario, made by `flash create` from its images. */
function createFor(p: string, name: string): string {
  const sc = loadScenario(p);
  const out = join(dir, `${name}.bin`);
  const args = ['create', '--layout', scenarioPath(p), '-o', out];
  for (const img of sc.images) args.push(img.name === 'v1' ? '--primary' : '--secondary', join(BOOT, p, img.file));
  const r = flash(...args);
  assert.equal(r.code, 0, r.stderr);
  return out;
}

const keyArgs = (sc: Scenario): string[] => (sc.config.signature === 'ecdsa-p256' ? ['--key', KEY] : []);

function runStep(p: string, file: string, action: string, extra: string[] = []): Run {
  const sc = loadScenario(p);
  if (action === 'boot') return flash('boot', '--layout', scenarioPath(p), ...keyArgs(sc), file, '--json', ...extra);
  if (action === 'set-confirmed') return flash('app', 'set-confirmed', '--layout', scenarioPath(p), file, '--json', ...extra);
  return flash('app', 'set-pending', ...(action === 'set-pending-permanent' ? ['--permanent'] : []), '--layout', scenarioPath(p), file, '--json', ...extra);
}

function assertOpsEqual(traceFile: string, expected: readonly VOp[], where: string): void {
  const text = readFileSync(traceFile, 'utf8');
  const got = text === '' ? [] : text.trimEnd().split('\n').map((l) => JSON.parse(l) as VOp);
  assert.equal(got.length, expected.length, `${where}: op count`);
  got.forEach((o, i) => {
    const e = expected[i] as VOp;
    assert.deepEqual({ op: o.op, off: o.off, len: o.len, area: o.area, area_off: o.area_off, sha256: o.sha256, data: o.data },
      { op: e.op, off: e.off, len: e.len, area: e.area, area_off: e.area_off, sha256: e.sha256, data: e.data }, `${where}: op #${i + 1}`);
  });
}

const GEOMETRY_MODES = [
  'nrf52840/swap-scratch', 'nrf52840/swap-move', 'nrf52840/swap-offset', 'nrf52840/overwrite-only',
  'stm32u5/swap-scratch', 'stm32u5/swap-move', 'stm32u5/swap-offset', 'stm32u5/overwrite-only',
  'stm32f4/swap-scratch', 'stm32f4/overwrite-only',
];

test('build first: the flash command is registered', () => {
  assert.ok(existsSync(cliMain), 'run npm run build first');
  const r = spawnSync(process.execPath, [cliMain, '--help'], { encoding: 'utf8' });
  assert.match(r.stdout, /^ {2}flash /m);
});

for (const gm of GEOMETRY_MODES) {
  for (const name of gm === 'nrf52840/swap-offset' || gm === 'stm32f4/swap-scratch' ? ['test-then-revert', 'permanent'] : ['test-then-revert']) {
    const p = `${gm}/${name}`;
    test(`${p}: create reproduces the initial flash; every step reproduces the vector's ops, flash hash and decision`, () => {
      const sc = loadScenario(p);
      const file = createFor(p, p.replace(/\//g, '_'));
      assert.equal(sha256File(file), sc.initial_flash.sha256, 'initial flash');
      sc.sequence.forEach((step, i) => {
        const trace = join(dir, `trace-${p.replace(/\//g, '_')}-${i}.jsonl`);
        const r = runStep(p, file, step.action, ['--trace-out', trace]);
        assert.equal(r.code, step.result.outcome === 'ok' ? 0 : 1, `step ${i}: ${r.stderr}`);
        const out = json(r);
        assertOpsEqual(trace, step.ops, `${p} step ${i} (${step.action})`);
        assert.equal(out.outcome, step.result.outcome);
        assert.equal(out.flash_sha256, step.result.flash_sha256, `step ${i} flash hash`);
        assert.equal(sha256File(file), step.result.flash_sha256, `step ${i} file content`);
        if (step.action === 'boot') {
          assert.equal(out.trace_sha256, step.result.trace_sha256);
          const b = out.boot as { image_off: number; version: string };
          assert.deepEqual({ image_off: b.image_off, version: b.version }, { image_off: step.result.boot?.image_off, version: step.result.boot?.version });
          assert.deepEqual(out.trailers, step.result.trailers);
        }
      });
    });
  }
}

test('bad-sig with --key: the boot rejects v2 (erases the secondary) exactly as MCUboot; --explain says why', () => {
  const p = 'nrf52840/swap-move/bad-sig';
  const sc = loadScenario(p);
  const file = createFor(p, 'bad-sig');
  assert.equal(sha256File(file), sc.initial_flash.sha256);
  assert.equal(runStep(p, file, 'set-pending').code, 0);
  const trace = join(dir, 'bad-sig.jsonl');
  const r = flash('boot', '--layout', scenarioPath(p), '--key', KEY, file, '--explain', '--trace-out', trace);
  assert.equal(r.code, 0);
  assertOpsEqual(trace, sc.sequence[1]?.ops ?? [], 'bad-sig boot');
  assert.equal(sha256File(file), sc.sequence[1]?.result.flash_sha256);
  assert.match(r.stdout, /version 1\.0\.0\+0 boots/);
  assert.match(r.stdout, /Decision: TEST \(decision table row 1/);
  assert.match(r.stdout, /The secondary image is invalid: INVALID_SIGNATURE.*The whole slot was erased/);
});

test('--cut-at N then a plain boot gives the sweep file\'s cut and recovery, for first, middle and last cuts', () => {
  const p = 'nrf52840/swap-move/test-then-revert';
  const sweep = loadSweep(p, 1);
  const base = createFor(p, 'cut-base');
  assert.equal(runStep(p, base, 'set-pending').code, 0);
  const total = sweep.cuts.length;
  for (const n of [1, 2, 17, Math.floor(total / 2), total]) {
    const cut = sweep.cuts[n - 1] as VCut;
    const file = join(dir, `cut-${n}.bin`);
    copyFileSync(base, file);
    const r = runStep(p, file, 'boot', ['--cut-at', String(n)]);
    assert.equal(r.code, 4, `cut ${n}: exit code POWER_LOST`);
    const lost = json(r);
    assert.equal(lost.outcome, 'power-lost');
    assert.equal(lost.ops_completed, cut.ops_completed);
    const refused = lost.refused_op as VOp;
    assert.deepEqual([refused.op, refused.off, refused.len, refused.sha256], [cut.refused_op.op, cut.refused_op.off, cut.refused_op.len, cut.refused_op.sha256]);
    assert.equal(sha256File(file), cut.flash_sha256_after_cut, `cut ${n}: file after the cut`);
    const rec = runStep(p, file, 'boot');
    assert.equal(rec.code, 0);
    const out = json(rec);
    assert.equal(out.outcome, cut.recovery.outcome);
    assert.equal(out.ops, cut.recovery.ops);
    assert.equal(out.trace_sha256, cut.recovery.trace_sha256);
    assert.equal(out.flash_sha256, cut.recovery.flash_sha256);
    assert.equal((out.boot as { version: string }).version, cut.recovery.boot?.version);
  }
});

test('a SIGKILL in the middle of a boot leaves the file of a power cut; the next boot recovers as MCUboot does', async () => {
  const p = 'nrf52840/swap-move/test-then-revert';
  const sweep = loadSweep(p, 1);
  const file = createFor(p, 'kill');
  assert.equal(runStep(p, file, 'set-pending').code, 0);
  const trace = join(dir, 'kill.jsonl');
  writeFileSync(trace, '');
  const child = spawn(process.execPath, [cliMain, 'flash', 'boot', '--layout', scenarioPath(p), '--key', KEY, file, '--trace-out', trace, '--op-delay-ms', '25'], { stdio: 'ignore' });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  const lines = (): number => readFileSync(trace, 'utf8').split('\n').length - 1;
  // Wait for the boot to be well into the swap (progress is read from the trace file it writes).
  while (lines() < 30) await new Promise((resolve) => setTimeout(resolve, 5));
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
  const done = lines();
  assert.ok(done < sweep.cuts.length, 'killed before the end');
  // The op after the last traced one may or may not have reached the file: the file is the
  // device after a cut at done+1 or done+2, byte for byte.
  const sha = sha256File(file);
  const cut = [sweep.cuts[done], sweep.cuts[done + 1]].find((c) => c?.flash_sha256_after_cut === sha);
  assert.ok(cut !== undefined, `file after SIGKILL at ${done} traced ops matches no cut`);
  const rec = runStep(p, file, 'boot', ['--explain']);
  assert.equal(rec.code, 0);
  const out = json(rec);
  assert.equal(out.flash_sha256, cut.recovery.flash_sha256);
  assert.equal((out.boot as { version: string }).version, '2.0.0+0');
  assert.equal(out.resumed_swap_type, 'test');
  assert.ok((out.explain as string[]).some((l) => /Resuming the interrupted test swap/.test(l)), 'explains the resume');
});

test('sweep: a clean mode exits 0; swap-offset\'s revert double cuts are named MCUboot defects (exit 1); --fixed is clean', () => {
  const clean = 'nrf52840/swap-move/test-then-revert';
  const images = (p: string): string[] => ['--primary', join(BOOT, p, 'images/v1.bin'), '--secondary', join(BOOT, p, 'images/v2.bin')];
  const ok = flash('sweep', '--layout', scenarioPath(clean), '--key', KEY, ...images(clean), '--json');
  assert.equal(ok.code, 0, ok.stdout);
  const okr = json(ok);
  assert.equal(okr.cut_points, 96);
  assert.deepEqual(okr.outcomes, { 'ok 2.0.0+0': 96 });
  assert.deepEqual(okr.issues, []);

  const p = 'nrf52840/swap-offset/test-then-revert';
  const bad = flash('sweep', '--layout', scenarioPath(p), ...images(p), '--scenario', 'revert', '--double');
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /MCUboot defects: 5/);
  for (const n of [20, 21, 22, 23, 24]) assert.match(bad.stdout, new RegExp(`MCUboot defect: cut at op ${n}, then the recovery boot cut at op 7: .*assert`));
  assert.match(bad.stdout, /avoid: use swap-move/);
  assert.match(bad.stdout, /NOT SAFE/);
  const fixed = flash('sweep', '--layout', scenarioPath(p), ...images(p), '--scenario', 'revert', '--double', '--fixed', '--json');
  assert.equal(fixed.code, 0);
  const fr = json(fixed);
  assert.equal(fr.cut_points, 76);
  assert.ok((fr.double_cut_points as number) > 3000);
  assert.deepEqual(fr.issues, []);
});

test('sweep: a swap-offset upgrade that fits in one sector hits MCUboot\'s index slip (named, exit 1); --fixed and swap-move are clean', () => {
  writeFileSync(join(dir, 'small-a.raw'), 'a'.repeat(2500));
  writeFileSync(join(dir, 'small-b.raw'), 'b'.repeat(3000));
  for (const [raw, version, out] of [['small-a.raw', '1.0.0', 'small-a.bin'], ['small-b.raw', '2.0.0', 'small-b.bin']] as const) {
    const r = spawnSync(process.execPath, [cliMain, 'image', 'sign', '--header-size', '0x200', '--pad-header', '--align', '4', '--version', version, '--slot-size', '0x20000', raw, out], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  }
  const images = ['--primary', 'small-a.bin', '--secondary', 'small-b.bin'];
  const bad = flash('sweep', '--layout', 'k64f', '--mode', 'swap-offset', ...images, '--double', '--json');
  assert.equal(bad.code, 1);
  const r = json(bad) as { counts: Record<string, number>; issues: { kind: string; detail: string; avoid?: string }[] };
  assert.ok((r.counts['mcuboot-defect'] as number) > 0);
  assert.equal(r.counts.brick, 0);
  assert.ok(r.issues.every((i) => i.kind === 'mcuboot-defect' && /no image boots/.test(i.detail) && /swap-move/.test(i.avoid ?? '')));
  assert.equal(flash('sweep', '--layout', 'k64f', '--mode', 'swap-offset', ...images, '--double', '--fixed').code, 0);
  assert.equal(flash('sweep', '--layout', 'k64f', '--mode', 'swap-move', ...images, '--double').code, 0);
});

test('inspect: words and JSON show images, validity, trailers and the pending swap', () => {
  const p = 'nrf52840/swap-scratch/bad-sig';
  const file = createFor(p, 'inspect');
  assert.equal(runStep(p, file, 'set-pending').code, 0);
  const r = flash('inspect', '--layout', scenarioPath(p), '--key', KEY, file, '--json');
  assert.equal(r.code, 0, r.stderr);
  const x = json(r) as {
    mode: string; max_image_size: number;
    slots: Record<'primary' | 'secondary', { off: number; content: string; image: { version: string; valid: boolean; validation: string } | null; trailer: { magic: string; swap_type: string } }>;
    swap: { swap_type: string; row: number; in_progress: boolean };
  };
  assert.equal(x.mode, 'swap-scratch');
  assert.equal(x.slots.primary.image?.version, '1.0.0+0');
  assert.equal(x.slots.primary.image?.valid, true);
  assert.equal(x.slots.secondary.image?.version, '2.0.0+0');
  assert.equal(x.slots.secondary.image?.valid, false);
  assert.match(x.slots.secondary.image?.validation ?? '', /INVALID_SIGNATURE/);
  assert.deepEqual([x.slots.secondary.trailer.magic, x.slots.secondary.trailer.swap_type], ['good', 'test']);
  assert.deepEqual([x.swap.swap_type, x.swap.row, x.swap.in_progress], ['test', 1, false]);
  const words = flash('inspect', '--layout', scenarioPath(p), file);
  assert.equal(words.code, 0);
  assert.match(words.stdout, /Secondary slot \(secondary\): 0x3c000\.\.0x70000/);
  assert.match(words.stdout, /Swap state: next boot decides swap type test \(row 1\)/);
  assert.match(words.stderr, /no --key was given/);
  // Mid-swap, inspect reports the interrupted swap.
  const good = 'nrf52840/swap-scratch/test-then-revert';
  const swapping = createFor(good, 'inspect-mid');
  assert.equal(runStep(good, swapping, 'set-pending').code, 0);
  assert.equal(runStep(good, swapping, 'boot', ['--cut-at', '30']).code, 4);
  const mid = json(flash('inspect', '--layout', scenarioPath(good), swapping, '--json')) as { swap: { in_progress: boolean; status_entries: number } };
  assert.equal(mid.swap.in_progress, true);
  assert.match(flash('inspect', '--layout', scenarioPath(good), swapping).stdout, /Swap state: a swap was interrupted \(\d+ status entr(y|ies) recorded\); .* The next boot resumes it\./);
});

test('presets work as layouts; bad layouts, oversized images, wrong files and bad options get typed errors and exit codes', () => {
  const v1 = join(BOOT, 'stm32f4/swap-scratch/permanent/images/v1.bin');
  const made = flash('create', '--layout', 'stm32f4', '--primary', v1, '-o', 'preset.bin', '--json');
  assert.equal(made.code, 0, made.stderr);
  assert.equal((json(made) as { mode: string }).mode, 'swap-scratch');
  assert.equal(readFileSync(join(dir, 'preset.bin')).length, 0x80000);
  const none = flash('boot', '--layout', 'stm32f4', 'preset.bin', '--json');
  assert.equal(none.code, 0);
  assert.equal((json(none).boot as { version: string }).version, '1.0.0+0');

  // A preset equal to a vector's geometry reproduces the vector's initial flash.
  for (const [preset, p] of [['nrf52840', 'nrf52840/swap-move/test-then-revert'], ['stm32u5', 'stm32u5/swap-offset/test-then-revert'], ['stm32f4', 'stm32f4/swap-scratch/permanent']] as const) {
    const mode = p.split('/')[1] as string;
    const c = flash('create', '--layout', preset, '--mode', mode, '--primary', join(BOOT, p, 'images/v1.bin'), '--secondary', join(BOOT, p, 'images/v2.bin'), '-o', `${preset}.bin`, '--json');
    assert.equal(c.code, 0, c.stderr);
    assert.equal((json(c) as { flash_sha256: string }).flash_sha256, loadScenario(p).initial_flash.sha256, preset);
  }

  const unknown = flash('boot', '--layout', 'nosuchboard', 'preset.bin');
  assert.equal(unknown.code, 3);
  assert.match(unknown.stderr, /unknown layout "nosuchboard": presets: nrf52840, stm32u5, stm32f4.*\[SW_ERR_BOOT_CONFIG_INVALID\]/);

  writeFileSync(join(dir, 'bad-layout.json'), JSON.stringify({ geometry: { sectors: [4096, 4096], write_align: 4, areas: { primary: { off: 0, size: 4096 } } } }));
  const badLayout = flash('boot', '--layout', 'bad-layout.json', 'preset.bin');
  assert.equal(badLayout.code, 3);
  assert.match(badLayout.stderr, /"areas" has no "secondary" slot/);
  writeFileSync(join(dir, 'broken.json'), '{ not json');
  assert.match(flash('inspect', '--layout', 'broken.json', 'preset.bin').stderr, /not valid JSON/);

  const big = new Uint8Array(0x20001).fill(0x5a);
  writeFileSync(join(dir, 'big.bin'), big);
  const tooBig = flash('create', '--layout', 'stm32f4', '--primary', v1, '--secondary', 'big.bin', '-o', 'big-flash.bin');
  assert.equal(tooBig.code, 3);
  assert.match(tooBig.stderr, /SW_ERR_FLASH_IMAGE_TOO_LARGE/);
  assert.equal(existsSync(join(dir, 'big-flash.bin')), false, 'no half-written flash file');

  const wrongSize = flash('boot', '--layout', 'stm32u5', 'preset.bin');
  assert.equal(wrongSize.code, 3);
  assert.match(wrongSize.stderr, /has 524288 bytes but the layout stm32u5 describes a 655360-byte device.*\[SW_ERR_FLASH_FILE_SIZE\]/);
  const missing = flash('boot', '--layout', 'stm32f4', 'nope.bin');
  assert.equal(missing.code, 3);
  assert.match(missing.stderr, /cannot open flash file .*no such file/);

  assert.equal(flash('boot', '--layout', 'stm32f4', 'preset.bin', '--cut-at', 'zero').code, 2);
  assert.equal(flash('boot', '--layout', 'stm32f4', 'preset.bin', '--mode', 'swap-sideways').code, 2);
  assert.equal(flash('boot', '--layout', 'stm32f4', 'preset.bin', '--bogus').code, 2);
  assert.equal(flash().code, 2);
  for (const sub of [['create'], ['boot'], ['app', 'set-pending'], ['app', 'set-confirmed'], ['inspect'], ['sweep'], []]) {
    const h = flash(...sub, '--help');
    assert.equal(h.code, 0, `${sub.join(' ')} --help`);
    assert.match(h.stdout, /Usage: slotwise flash/);
  }
});
