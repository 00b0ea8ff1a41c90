/**
 * `slotwise server` and `slotwise admin` as an operator uses them: a real process on loopback,
 * the bootstrap admin key in the data directory, every admin command group with `--json`,
 * exit codes, /healthz, /metrics, and a clean stop on SIGTERM.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { admin, startServerProcess } from './server-process.js';

const vectors = fileURLToPath(new URL('../../../../shared/vectors/image/', import.meta.url));

test('slotwise server + admin: register, upload, release, rollout, status over loopback', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'slotwise-cli-'));
  const server = await startServerProcess(['--data', dir, '--log-level', 'info']);
  try {
    const json = (args: string[]): unknown => {
      const r = admin(server.url, dir, ['--json', ...args]);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      return JSON.parse(r.stdout) as unknown;
    };
    const reg = json(['devices', 'register', 'dev-1', '--version', '1.0.0', '--tag', 'eu', '--profile', 'zephyr']) as { token: string; device: { controllerId: string } };
    assert.match(reg.token, /^[A-Za-z0-9]{32}$/);
    const human = admin(server.url, dir, ['devices', 'list']);
    assert.equal(human.code, 0);
    assert.match(human.stdout, /^controllerId\s+runningVersion/m);
    assert.match(human.stdout, /dev-1\s+1\.0\.0/);
    const art = json(['artifacts', 'upload', join(vectors, 'images/ecp256-h20-basic.bin'), '--name', 'zephyr.signed.bin']) as { sha256: string; kind: string; imageVersion: string };
    assert.deepEqual([art.kind, art.imageVersion], ['mcuboot', '1.2.3+4']);
    const rel = json(['releases', 'create', '--name', 'sensor-fw', '--version', '1.2.3+4', '--artifact', art.sha256]) as { id: number };
    const ro = json(['rollouts', 'create', '--name', 'first', '--release', String(rel.id), '--tag', 'eu', '--stage', '50%', '--stage', '100%', '--window', '00:00-23:59']) as { id: number; state: string };
    assert.equal(ro.state, 'running');
    const summary = json(['rollouts', 'get', String(ro.id)]) as { stages: { assigned: number }[] };
    assert.equal(summary.stages[0]?.assigned, 1);
    const status = json(['status']) as { devices: number; storage: string };
    assert.deepEqual([status.devices, status.storage], [1, 'sqlite']);
    const poll = await fetch(`${server.url}/DEFAULT/controller/v1/dev-1`, { headers: { authorization: `TargetToken ${reg.token}` } });
    assert.equal(poll.status, 200);
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /slotwise_ddi_polls_total 1/);
    const audit = json(['audit']) as { event: string }[];
    assert.ok(audit.some((e) => e.event === 'rollout.created'));

    // Operator verbs: rollout control, single deployment, cancel, token rotation, tenant settings.
    assert.equal((json(['rollouts', 'pause', String(ro.id)]) as { state: string }).state, 'paused');
    assert.equal((json(['rollouts', 'resume', String(ro.id)]) as { state: string }).state, 'running');
    assert.equal((json(['rollouts', 'abort', String(ro.id)]) as { state: string }).state, 'aborted');
    json(['devices', 'register', 'dev-2', '--version', '1.0.0']);
    const dep = json(['deploy', 'dev-2', String(rel.id), '--type', 'soft', '--timeout-min', '30']) as { id: number; type: string; deadlineMs: number };
    assert.equal(dep.type, 'soft');
    assert.equal((json(['actions', 'cancel', String(dep.id)]) as { status: string }).status, 'canceling');
    assert.equal(((json(['actions', 'get', String(dep.id)]) as { action: { status: string } }).action.status), 'canceling');
    const rotated = json(['tokens', 'rotate', 'dev-1']) as { token: string };
    assert.notEqual(rotated.token, reg.token);
    assert.equal((await fetch(`${server.url}/DEFAULT/controller/v1/dev-1`, { headers: { authorization: `TargetToken ${reg.token}` } })).status, 401, 'the old token stops working');
    const tenant = json(['tenant', 'set', '--gateway-token', 'gw-secret-123', '--gateway-prefix', 'lab-', '--poll-sec', '120', '--downgrade-guard', 'on']) as { gatewayIdPrefix: string; pollSleepSec: number; downgradeGuard: boolean };
    assert.deepEqual([tenant.gatewayIdPrefix, tenant.pollSleepSec, tenant.downgradeGuard], ['lab-', 120, true]);
    assert.equal((json(['tenant', 'get']) as { gatewayToken: string }).gatewayToken, 'gw-secret-123');

    assert.equal(admin(server.url, dir, ['devices', 'frobnicate']).code, 2, 'unknown command: usage');
    const wrongKey = admin(server.url, dir, ['--key', 'sw_wrong', 'status']);
    assert.equal(wrongKey.code, 5);
    assert.match(wrongKey.stderr, /401 SW_ERR_AUTH_INVALID/);
    const missing = admin(server.url, dir, ['devices', 'get', 'nobody']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /SW_ERR_DEVICE_NOT_FOUND/);
    assert.equal(admin('http://127.0.0.1:9', dir, ['status']).code, 5, 'server unreachable');
  } finally {
    const code = await server.stop('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
    assert.equal(code, 0, 'clean exit on SIGTERM');
  }
});
