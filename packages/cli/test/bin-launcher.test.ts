/**
 * The installed `slotwise` (packages/cli/bin/slotwise.cjs): `image` runs from the single-file
 * CommonJS build and answers exactly as the compiled ES modules do; other commands go to
 * dist/main.js; a missing or stale build falls back to dist/main.js instead of running old code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdtempSync, rmSync, symlinkSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(root, 'packages/cli/bin/slotwise.cjs');
const main = join(root, 'packages/cli/dist/main.js');
const vectors = join(root, '..', 'shared', 'vectors', 'image');
const key = join(vectors, 'keys', 'root-ec-p256.pem');
const image = join(root, '..', 'shared', 'vectors', 'boot', 'nrf52840', 'swap-move', 'permanent', 'images', 'v2.bin');

const run = (entry: string, args: string[]) => spawnSync(process.execPath, [entry, ...args], { encoding: 'utf8' });

test('the image command is built into dist/image.cjs by npm run build', () => {
  assert.ok(existsSync(join(root, 'packages/cli/dist/image.cjs')), 'run npm run build');
});

test('slotwise image through the launcher answers byte for byte as dist/main.js does', () => {
  for (const args of [['image', 'verify', '-k', key, image], ['image', 'verify', '--json', image], ['image', 'dumpinfo', '-f', 'json', image], ['image', 'verify', '-k', key, join(vectors, 'keys', 'root-ec-p256.pem')], ['image', 'sign', '--version', '256.0.0', image, join(tmpdir(), 'never.bin')]]) {
    const viaBin = run(bin, args);
    const viaMain = run(main, args);
    assert.equal(viaBin.status, viaMain.status, args.join(' '));
    assert.equal(viaBin.stdout, viaMain.stdout, args.join(' '));
    assert.equal(viaBin.stderr, viaMain.stderr, args.join(' '));
  }
});

test('other commands go through dist/main.js', () => {
  const help = run(bin, ['--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /Usage: slotwise <command>/);
  assert.equal(run(bin, ['no-such-command']).status, 2);
});

test('a stale image build is not used: the launcher falls back to the compiled modules', () => {
  // A copy of the cli package whose image.cjs is older than its compiled sources and answers wrongly.
  const dir = mkdtempSync(join(tmpdir(), 'slotwise-bin-'));
  try {
    const cli = join(dir, 'packages', 'cli');
    cpSync(join(root, 'packages/cli/bin'), join(cli, 'bin'), { recursive: true });
    cpSync(join(root, 'packages/cli/dist'), join(cli, 'dist'), { recursive: true });
    cpSync(join(root, 'packages/cli/package.json'), join(cli, 'package.json'));
    symlinkSync(join(root, 'packages/cli/node_modules'), join(cli, 'node_modules'));
    cpSync(join(root, 'packages/core/dist'), join(dir, 'packages/core/dist'), { recursive: true });
    copyFileSync(join(root, 'packages/core/package.json'), join(dir, 'packages/core/package.json'));
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
    const fake = join(cli, 'dist', 'image.cjs');
    const wrong = "exports.run = async () => { process.stdout.write('stale build\\n'); return 0; };\n";
    spawnSync(process.execPath, ['-e', `require('node:fs').writeFileSync(${JSON.stringify(fake)}, ${JSON.stringify(wrong)})`]);
    const fresh = run(join(cli, 'bin', 'slotwise.cjs'), ['image', 'verify', image]);
    assert.equal(fresh.stdout, 'stale build\n', 'a fresh build is used');
    utimesSync(fake, new Date(2000, 0, 1), new Date(2000, 0, 1));
    const stale = run(join(cli, 'bin', 'slotwise.cjs'), ['image', 'verify', image]);
    assert.match(stale.stdout, /Image was correctly validated/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
