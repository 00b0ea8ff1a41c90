/**
 * Two `slotwise server` processes on one PostgreSQL database (records and artifact bytes) serve
 * one fleet: a device whose requests alternate between them completes a staged rollout, and
 * both processes report the same state. Needs SLOTWISE_TEST_PG_URL (CI starts PostgreSQL).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startServerProcess, type ServerProcess } from './server-process.js';

function pgUrl(): string | null {
  const url = process.env.SLOTWISE_TEST_PG_URL;
  if (url !== undefined && url !== '') return url;
  if (process.env.CI === 'true') throw new Error('SLOTWISE_TEST_PG_URL is not set in CI');
  console.log('# skipping two-server test: SLOTWISE_TEST_PG_URL is not set');
  return null;
}

const base = pgUrl();
test('two server processes on one PostgreSQL complete a rollout for a device that alternates between them', { skip: base === null }, async () => {
  if (base === null) return;
  const dbName = `slotwise_two_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = new URL(base);
  url.pathname = `/${dbName}`;
  const key = `sw_${randomBytes(20).toString('hex')}`;
  const dirs = [mkdtempSync(join(tmpdir(), 'slotwise-a-')), mkdtempSync(join(tmpdir(), 'slotwise-b-'))];
  const servers: ServerProcess[] = [];
  try {
    servers.push(...(await Promise.all(dirs.map((d) => startServerProcess(['--data', d, '--db', url.toString(), '--admin-key', key, '--log-level', 'info'])))));
    const [A, B] = servers.map((s) => s.url) as [string, string];
    const api = async (srv: string, method: string, path: string, body?: unknown, raw?: Uint8Array) => {
      const res = await fetch(`${srv}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(raw !== undefined ? { 'content-type': 'application/octet-stream' } : body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(raw !== undefined ? { body: raw } : body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, body: (text === '' ? null : JSON.parse(text)) as Record<string, unknown> };
    };
    const tokens: string[] = [];
    for (const [i, srv] of [A, B].entries()) {
      const r = await api(srv, 'POST', '/api/v1/devices', { controllerId: `d${i}`, runningVersion: '1.0.0' });
      assert.equal(r.status, 201);
      tokens.push(String(r.body.token));
    }
    const bytes = new Uint8Array(400_000).map((_, i) => (i * 5) & 0xff);
    const art = await api(A, 'POST', '/api/v1/artifacts?filename=fw.bin', undefined, bytes);
    assert.equal(art.status, 201);
    const rel = await api(B, 'POST', '/api/v1/releases', { name: 'fw', version: '2.0.0', artifacts: [{ sha256: art.body.sha256 }] });
    assert.equal(rel.status, 201, JSON.stringify(rel.body));
    const ro = await api(A, 'POST', '/api/v1/rollouts', { name: 'two', releaseId: rel.body.id, filter: {}, stages: [{ count: 1 }, { percent: 100 }] });
    assert.equal(ro.status, 201);

    let turn = 0;
    const next = (): string => (turn++ % 2 === 0 ? A : B);
    const device = async (id: string, token: string) => {
      const h = { authorization: `TargetToken ${token}` };
      const poll = (await (await fetch(`${next()}/DEFAULT/controller/v1/${id}`, { headers: h })).json()) as { _links?: Record<string, { href: string }> };
      const href = poll._links?.deploymentBase?.href;
      assert.ok(href !== undefined, `${id} sees its deployment`);
      const db = (await (await fetch(`${next()}${new URL(href).pathname}`, { headers: h })).json()) as { id: string; deployment: { chunks: { artifacts: { _links: Record<string, { href: string }> }[] }[] } };
      const dl = new URL(db.deployment.chunks[0]?.artifacts[0]?._links['download-http']?.href ?? '').pathname;
      const head = new Uint8Array(await (await fetch(`${next()}${dl}`, { headers: { ...h, range: 'bytes=0-199999' } })).arrayBuffer());
      const tail = new Uint8Array(await (await fetch(`${next()}${dl}`, { headers: { ...h, range: 'bytes=200000-' } })).arrayBuffer());
      assert.deepEqual(Buffer.concat([head, tail]), Buffer.from(bytes), 'halves from two processes make the file');
      const json = { ...h, 'content-type': 'application/json' };
      assert.equal((await fetch(`${next()}/DEFAULT/controller/v1/${id}/deploymentBase/${db.id}/feedback`, { method: 'POST', headers: json, body: '{"status":{"execution":"closed","result":{"finished":"success"}}}' })).status, 200);
      assert.equal((await fetch(`${next()}/DEFAULT/controller/v1/${id}/configData`, { method: 'PUT', headers: json, body: '{"data":{"fw_version":"2.0.0"}}' })).status, 200);
    };
    await device('d0', tokens[0] ?? '');
    await device('d1', tokens[1] ?? '');
    const [sa, sb] = await Promise.all([A, B].map((s) => api(s, 'GET', `/api/v1/rollouts/${String(ro.body.id)}`)));
    assert.deepEqual(sa?.body, sb?.body, 'both processes see the same rollout');
    assert.equal((sa?.body.rollout as { state: string }).state, 'finished');
    assert.deepEqual((sa?.body.stages as { succeeded: number }[]).map((s) => s.succeeded), [1, 1]);
  } finally {
    await Promise.all(servers.map((s) => s.stop('SIGTERM')));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
});
