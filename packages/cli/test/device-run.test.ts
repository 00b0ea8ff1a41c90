/**
 * `slotwise device run` against `slotwise server` over loopback HTTP, in scaled real time:
 * the device is killed with SIGKILL in the middle of its download, started again on the same
 * flash file, and still completes the update (v1 → v2, confirmed, success on the server).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeCrypto } from '@slotwise/core/node/crypto';
import { loadKey, type ImagePrivateKey } from '@slotwise/core/image/keys';
import { buildFirmwareImage } from '@slotwise/core/device/firmware';
import { admin, cliMain, startServerProcess } from './server-process.js';

const KEYS = fileURLToPath(new URL('../../../../shared/vectors/image/keys/', import.meta.url));

interface DeviceProcess {
  child: ChildProcess;
  output(): string;
  waitFor(re: RegExp, timeoutMs: number): Promise<void>;
  exited: Promise<number | null>;
}

function startDevice(args: string[]): DeviceProcess {
  const child = spawn(process.execPath, [cliMain, 'device', 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    child,
    output: () => out,
    exited,
    async waitFor(re, timeoutMs) {
      const until = Date.now() + timeoutMs;
      while (!re.test(out)) {
        if (Date.now() > until) throw new Error(`timed out waiting for ${re}:\n${out}`);
        if (child.exitCode !== null) throw new Error(`device exited (${child.exitCode}) before ${re}:\n${out}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

test('device run: SIGKILL mid-download, restart on the same flash file, the update still completes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'slotwise-dev-'));
  const server = await startServerProcess(['--data', dir]);
  const devices: DeviceProcess[] = [];
  try {
    const key = loadKey(readFileSync(join(KEYS, 'root-ed25519.pem'), 'utf8'), nodeCrypto) as ImagePrivateKey;
    const fw = (version: string, size: number): string => {
      const path = join(dir, `fw-${version}.bin`);
      writeFileSync(path, buildFirmwareImage({ descriptor: { version, sampleIntervalMs: 60_000, faults: {} }, key, payloadSizeBytes: size }, nodeCrypto).image);
      return path;
    };
    const v1 = fw('1.0.0', 30_000);
    const v2 = fw('2.0.0', 150_000); // 37 chunks of 4 KiB: three WAIT visits a minute apart
    const json = (args: string[]): Record<string, unknown> => {
      const r = admin(server.url, dir, ['--json', ...args]);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      return JSON.parse(r.stdout) as Record<string, unknown>;
    };
    const token = String(json(['devices', 'register', 'dev-1', '--version', '1.0.0']).token);
    const sha = String(json(['artifacts', 'upload', v2, '--name', 'zephyr.signed.bin']).sha256);
    const release = Number(json(['releases', 'create', '--name', 'sensor-fw', '--version', '2.0.0', '--artifact', sha]).id);
    json(['tenant', 'set', '--poll-sec', '30']);
    const action = Number(json(['deploy', 'dev-1', String(release)]).id);

    const flash = join(dir, 'dev-1.flash');
    const args = ['--server', server.url, '--id', 'dev-1', '--token', token, '--flash', flash, '--layout', 'nrf52840', '--key', join(KEYS, 'root-ed25519-pub.pem'), '--speed', '50'];
    const first = startDevice([...args, '--init', v1]);
    devices.push(first);
    await first.waitFor(/Download started/, 30_000);
    first.child.kill('SIGKILL');
    await first.exited;
    assert.doesNotMatch(first.output(), /Upgrade requested/, 'killed before the download finished');

    const second = startDevice(args);
    devices.push(second);
    await second.waitFor(/Image confirmed: version 2\.0\.0/, 60_000);
    const out = second.output();
    assert.match(out, /\*\*\* Booting firmware 1\.0\.0 \(reset: power-on\) \*\*\*/, 'after the kill the old image boots');
    assert.match(out, /\*\*\* Booting firmware 2\.0\.0 \(reset: ota\) \*\*\*/);
    const deadline = Date.now() + 30_000;
    let status = '';
    while (Date.now() < deadline) {
      status = String((json(['actions', 'get', String(action)]).action as { status: string }).status);
      if (status === 'succeeded') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(status, 'succeeded');
    assert.equal(json(['devices', 'get', 'dev-1']).runningVersion, '2.0.0');
  } finally {
    for (const d of devices) if (d.child.exitCode === null) d.child.kill('SIGKILL');
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('device run: SIGKILL between the test request and the next boot; the restarted device remembers the action and reports the rollback instead of downloading again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'slotwise-dev-'));
  const server = await startServerProcess(['--data', dir]);
  const devices: DeviceProcess[] = [];
  try {
    const key = loadKey(readFileSync(join(KEYS, 'root-ed25519.pem'), 'utf8'), nodeCrypto) as ImagePrivateKey;
    const fw = (version: string, size: number, neverConfirms: boolean): string => {
      const path = join(dir, `fw-${version}.bin`);
      writeFileSync(path, buildFirmwareImage({ descriptor: { version, sampleIntervalMs: 60_000, faults: neverConfirms ? { neverConfirms } : {} }, key, payloadSizeBytes: size }, nodeCrypto).image);
      return path;
    };
    const v1 = fw('1.0.0', 30_000, false);
    const v2 = fw('2.0.0', 40_000, true); // never confirms itself: MCUboot reverts it at the next reset
    const json = (args: string[]): Record<string, unknown> => {
      const r = admin(server.url, dir, ['--json', ...args]);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      return JSON.parse(r.stdout) as Record<string, unknown>;
    };
    const token = String(json(['devices', 'register', 'dev-2', '--version', '1.0.0']).token);
    const sha = String(json(['artifacts', 'upload', v2, '--name', 'zephyr.signed.bin']).sha256);
    const release = Number(json(['releases', 'create', '--name', 'sensor-fw', '--version', '2.0.0', '--artifact', sha]).id);
    json(['tenant', 'set', '--poll-sec', '30']);
    const action = Number(json(['deploy', 'dev-2', String(release)]).id);

    const flash = join(dir, 'dev-2.flash');
    const args = ['--server', server.url, '--id', 'dev-2', '--token', token, '--flash', flash, '--layout', 'nrf52840', '--key', join(KEYS, 'root-ed25519-pub.pem'), '--speed', '100'];
    const first = startDevice([...args, '--init', v1]);
    devices.push(first);
    await first.waitFor(/Upgrade requested/, 30_000);
    first.child.kill('SIGKILL'); // in the swap, or in the unconfirmed 2.0.0: before any health verdict
    await first.exited;
    assert.doesNotMatch(first.output(), /reset: health/);

    const second = startDevice(args);
    devices.push(second);
    // Whatever instant the kill hit, 2.0.0 is reverted (unconfirmed test image) and 1.0.0 boots;
    // one sampling cycle later it has polled the server at least once.
    await second.waitFor(/\*\*\* Booting firmware 1\.0\.0[^]*Exiting low-power WAIT/, 40_000);
    assert.doesNotMatch(second.output(), /Download started|Update available/, 'the same action is not downloaded again');
    const deadline = Date.now() + 20_000;
    let status = '';
    while (Date.now() < deadline) {
      status = String((json(['actions', 'get', String(action)]).action as { status: string }).status);
      if (!['running', 'canceling', 'verifying'].includes(status)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(['failed', 'rolled_back'].includes(status), `the action ends as a rollback, got ${status}:\n${second.output()}`);
  } finally {
    for (const d of devices) if (d.child.exitCode === null) d.child.kill('SIGKILL');
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
