/**
 * Crash safety: SIGKILL the server mid-upload and mid-rollout, restart it on the same data
 * directory, and find no partial artifact, no lost device state, and the rollout continuing —
 * including the window between advancing a stage and assigning its devices.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { startServerProcess } from './server-process.js';

const key = `sw_${randomBytes(20).toString('hex')}`;

async function api(srv: string, method: string, path: string, body?: unknown, raw?: Uint8Array): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${srv}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(raw !== undefined ? { 'content-type': 'application/octet-stream' } : body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(raw !== undefined ? { body: raw } : body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text === '' ? null : JSON.parse(text)) as Record<string, unknown> };
}

function files(dir: string): string[] {
  const root = join(dir, 'artifacts');
  if (!existsSync(root)) return [];
  return readdirSync(root).flatMap((s) => readdirSync(join(root, s)));
}

test('SIGKILL mid-upload leaves no artifact, record or temp file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'slotwise-crash-'));
  try {
    const server = await startServerProcess(['--data', dir, '--admin-key', key]);
    const { port } = new URL(server.url);
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/api/v1/artifacts?filename=big.bin', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/octet-stream', 'content-length': String(8 * 1024 * 1024) } });
    req.on('error', () => undefined);
    await new Promise<void>((resolve) => req.write(Buffer.alloc(4 * 1024 * 1024, 7), () => resolve()));
    assert.equal(await server.stop('SIGKILL'), null, 'killed, not exited');
    req.destroy();
    const again = await startServerProcess(['--data', dir, '--admin-key', key]);
    try {
      assert.deepEqual((await api(again.url, 'GET', '/api/v1/artifacts')).body, []);
      assert.deepEqual(files(dir), []);
    } finally {
      await again.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SIGKILL mid-rollout: state survives and the rollout continues, even between stage advance and assignment', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'slotwise-crash-'));
  try {
    let server = await startServerProcess(['--data', dir, '--admin-key', key]);
    const tokens: string[] = [];
    for (const id of ['d0', 'd1', 'd2']) tokens.push(String((await api(server.url, 'POST', '/api/v1/devices', { controllerId: id, runningVersion: '1.0.0' })).body.token));
    const art = await api(server.url, 'POST', '/api/v1/artifacts?filename=fw.bin', undefined, new Uint8Array(10_000).fill(3));
    const rel = await api(server.url, 'POST', '/api/v1/releases', { name: 'fw', version: '2.0.0', artifacts: [{ sha256: art.body.sha256 }] });
    const ro = await api(server.url, 'POST', '/api/v1/rollouts', { name: 'crash', releaseId: rel.body.id, filter: {}, stages: [{ count: 1 }, { count: 2 }, { count: 3 }] });
    const install = async (srv: string, id: string, token: string) => {
      const h = { authorization: `TargetToken ${token}` };
      const poll = (await (await fetch(`${srv}/DEFAULT/controller/v1/${id}`, { headers: h })).json()) as { _links?: Record<string, { href: string }> };
      const href = poll._links?.deploymentBase?.href;
      assert.ok(href !== undefined, `${id} has its deployment`);
      const actionId = /deploymentBase\/(\d+)/.exec(href)?.[1] ?? '';
      const json = { ...h, 'content-type': 'application/json' };
      assert.equal((await fetch(`${srv}/DEFAULT/controller/v1/${id}/deploymentBase/${actionId}/feedback`, { method: 'POST', headers: json, body: '{"status":{"execution":"closed","result":{"finished":"success"}}}' })).status, 200);
      assert.equal((await fetch(`${srv}/DEFAULT/controller/v1/${id}/configData`, { method: 'PUT', headers: json, body: '{"data":{"fw_version":"2.0.0"}}' })).status, 200);
    };

    await install(server.url, 'd0', tokens[0] ?? '');
    await server.stop('SIGKILL');
    server = await startServerProcess(['--data', dir, '--admin-key', key]);
    const d0 = (await api(server.url, 'GET', '/api/v1/devices/d0')).body;
    assert.deepEqual([d0.runningVersion, d0.previousVersion], ['2.0.0', '1.0.0'], 'device state survived');
    await install(server.url, 'd1', tokens[1] ?? '');
    await server.stop('SIGKILL');

    // Recreate the crash window: stage 2 reached, but the server died before assigning d2.
    const db = new Database(join(dir, 'slotwise.db'));
    const d2Action = db.prepare("SELECT id FROM actions WHERE controller_id = 'd2'").get() as { id: number } | undefined;
    assert.ok(d2Action !== undefined);
    db.prepare('DELETE FROM actions WHERE id = ?').run(d2Action.id);
    // An action and its rollout counter are written in one transaction, so the crash state has neither.
    db.prepare("UPDATE rollout_action_counts SET n = n - 1 WHERE rollout_id = ? AND stage = 2 AND status = 'running'").run(ro.body.id);
    db.prepare("UPDATE devices SET active_action_id = NULL WHERE controller_id = 'd2'").run();
    assert.equal((db.prepare('SELECT current_stage FROM rollouts WHERE id = ?').get(ro.body.id) as { current_stage: number }).current_stage, 2);
    db.close();

    server = await startServerProcess(['--data', dir, '--admin-key', key]);
    try {
      await install(server.url, 'd2', tokens[2] ?? '');
      const summary = (await api(server.url, 'GET', `/api/v1/rollouts/${String(ro.body.id)}`)).body as { rollout: { state: string }; stages: { succeeded: number }[] };
      assert.equal(summary.rollout.state, 'finished');
      assert.deepEqual(summary.stages.map((s) => s.succeeded), [1, 1, 1]);
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
