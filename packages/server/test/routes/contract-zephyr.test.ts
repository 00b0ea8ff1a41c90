/**
 * Contract: the Zephyr hawkBit client (hawkbit-ddi.md B.1), replayed byte for byte over one
 * loopback keep-alive socket with Zephyr's headers (no Accept, no User-Agent), checking what
 * its strict JSON descriptors and HTTP client require: 200 only, Content-Length everywhere,
 * `sleep` of 8 characters, string ids, one chunk `bApp` with one artifact, a lean body.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createHarness, seedRelease, type Harness } from '../harness.js';
import { RawHttpConnection, type RawResponse } from '../raw-http.js';

interface ZephyrPoll {
  config: { polling: { sleep: string } };
  _links?: Record<string, { href: string }>;
}

async function zephyrSetup(): Promise<{ h: Harness; conn: RawHttpConnection; token: string; releaseId: number; bytes: Uint8Array }> {
  const h = await createHarness({ config: { publicUrl: null } });
  const seeded = await seedRelease(h, { controllerId: 'nrf52840dk-6f3a9c01d2e4b577', runningVersion: '1.0.0' });
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const port = (h.app.server.address() as AddressInfo).port;
  return { h, conn: await RawHttpConnection.open(port), ...seeded };
}

const ID = 'nrf52840dk-6f3a9c01d2e4b577';
const pathOf = (href: string): string => {
  const u = new URL(href);
  return u.pathname + u.search;
};

function zephyrJson<T>(res: RawResponse): T {
  assert.equal(res.status, 200, res.body.toString());
  assert.equal(Number(res.headers['content-length']), res.body.length, 'Content-Length equals the bytes received');
  return JSON.parse(res.body.toString()) as T;
}

test('zephyr: first probe uploads attributes once, then the link is gone', async () => {
  const { h, conn, token } = await zephyrSetup();
  try {
    const auth = { Authorization: `TargetToken ${token}` };
    const poll = zephyrJson<ZephyrPoll>(await conn.request('GET', `/default/controller/v1/${ID}`, auth));
    assert.equal(poll.config.polling.sleep.length, 8);
    assert.match(poll.config.polling.sleep, /^\d\d:\d\d:\d\d$/);
    const configHref = poll._links?.configData?.href;
    assert.ok(configHref !== undefined && configHref.includes('/DEFAULT/controller/v1/'), 'links carry the upper-case tenant');
    const put = await conn.request('PUT', pathOf(configHref), { ...auth, 'Content-Type': 'application/json;charset=UTF-8' }, '{"mode":"merge","data":{"VIN":"6f3a9c01d2e4b577"}}');
    assert.equal(put.status, 200);
    assert.equal(put.headers['content-length'], '0');
    const again = zephyrJson<ZephyrPoll>(await conn.request('GET', `/default/controller/v1/${ID}`, auth));
    assert.equal(again._links, undefined, 'no links at all: `_links` omitted');
    assert.equal(conn.isClosed, false, 'one keep-alive connection for the whole probe');
  } finally {
    conn.close();
    await h.close();
  }
});

async function installOnZephyr(h: Harness, conn: RawHttpConnection, token: string, releaseId: number, bytes: Uint8Array, reportedVersion: string): Promise<number> {
  const auth = { Authorization: `TargetToken ${token}` };
  const json = { ...auth, 'Content-Type': 'application/json;charset=UTF-8' };
  await conn.request('PUT', `/default/controller/v1/${ID}/configData`, json, '{"mode":"merge","data":{"VIN":"6f3a9c01d2e4b577","fw_version":"1.0.0"}}');
  const dep = await h.admin('POST', '/api/v1/deployments', { controllerId: ID, releaseId, timeoutMs: 3_600_000 });
  assert.equal(dep.statusCode, 201, dep.body);

  // Probe: poll → deploymentBase → download (interrupted, resumed with SAVE_PROGRESS).
  const poll = zephyrJson<ZephyrPoll>(await conn.request('GET', `/default/controller/v1/${ID}`, auth));
  const dbHref = poll._links?.deploymentBase?.href;
  assert.ok(dbHref !== undefined);
  assert.equal(poll._links?.configData, undefined);
  const dbRes = await conn.request('GET', pathOf(dbHref), auth);
  assert.ok(dbRes.body.length < 1024, `deploymentBase is lean for Zephyr (${dbRes.body.length} B)`);
  const db = zephyrJson<{ id: unknown; deployment: { download: string; update: string; chunks: { part: string; version: string; name: string; artifacts: { filename: string; size: unknown; hashes: Record<string, unknown>; _links: Record<string, { href: string }> }[] }[] } }>(dbRes);
  assert.equal(typeof db.id, 'string');
  assert.match(String(db.id), /^[1-9]\d*$/);
  assert.equal(db.deployment.chunks.length, 1);
  const chunk = db.deployment.chunks[0];
  assert.equal(chunk?.part, 'bApp');
  assert.equal(chunk?.artifacts.length, 1);
  const art = chunk?.artifacts[0];
  assert.equal(typeof art?.size, 'number');
  assert.equal(art?.size, bytes.length);
  assert.match(String(art?.hashes.sha256), /^[0-9a-f]{64}$/);
  assert.equal(art?.hashes.sha256, createHash('sha256').update(bytes).digest('hex'), 'sha256 of the whole file as served');
  assert.equal(art?._links['md5sum-http'], undefined, 'lean: no md5sum links');
  const dl = art?._links['download-http']?.href;
  assert.ok(dl !== undefined);

  const first = await conn.request('GET', pathOf(dl), auth);
  assert.equal(first.status, 200);
  assert.equal(Number(first.headers['content-length']), bytes.length);
  const written = 1234;
  const resumed = await conn.request('GET', pathOf(dl), { ...auth, Range: `bytes=${written}-` });
  assert.equal(resumed.status, 206);
  assert.equal(resumed.headers['content-range'], `bytes ${written}-${bytes.length - 1}/${bytes.length}`);
  assert.deepEqual(Buffer.concat([first.body.subarray(0, written), resumed.body]), Buffer.from(bytes));

  // Reboot into the (new or reverted) image: poll → same id → report closed/success.
  const poll2 = zephyrJson<ZephyrPoll>(await conn.request('GET', `/default/controller/v1/${ID}`, auth));
  assert.ok(poll2._links?.deploymentBase !== undefined, 'deploymentBase stays until closed feedback');
  const fb = await conn.request('POST', `/default/controller/v1/${ID}/deploymentBase/${String(db.id)}/feedback`, json, '{"status":{"execution":"closed","result":{"finished":"success"}}}');
  assert.equal(fb.status, 200);
  assert.equal(fb.headers['content-length'], '0');
  const poll3 = zephyrJson<ZephyrPoll>(await conn.request('GET', `/default/controller/v1/${ID}`, auth));
  assert.equal(poll3._links?.deploymentBase, undefined, 'deploymentBase gone after closed');
  const cfg = poll3._links?.configData?.href;
  assert.ok(cfg !== undefined, 'server asks for attributes after the install');
  const put = await conn.request('PUT', pathOf(cfg), json, `{"mode":"merge","data":{"VIN":"6f3a9c01d2e4b577","fw_version":"${reportedVersion}"}}`);
  assert.equal(put.status, 200);
  const poll4 = zephyrJson<ZephyrPoll>(await conn.request('GET', `/default/controller/v1/${ID}`, auth));
  assert.equal(poll4._links?.configData, undefined, 'no PUT/poll loop');
  return Number(db.id);
}

test('zephyr: full update; the reported version proves success', async () => {
  const { h, conn, token, releaseId, bytes } = await zephyrSetup();
  try {
    const actionId = await installOnZephyr(h, conn, token, releaseId, bytes, '2.0.0');
    const detail = (await h.admin('GET', `/api/v1/actions/${actionId}`)).json() as { action: { status: string; bytesServed: number; retrievedMs: number | null } };
    assert.equal(detail.action.status, 'succeeded');
    assert.ok(detail.action.retrievedMs !== null, 'RETRIEVED recorded');
    assert.equal(detail.action.bytesServed, bytes.length + (bytes.length - 1234), 'download bookkeeping counts full and resumed bytes');
    const device = (await h.admin('GET', `/api/v1/devices/${ID}`)).json() as { runningVersion: string; previousVersion: string };
    assert.deepEqual([device.runningVersion, device.previousVersion], ['2.0.0', '1.0.0']);
  } finally {
    conn.close();
    await h.close();
  }
});

test('zephyr: closed/success from the reverted image is detected as a rollback', async () => {
  const { h, conn, token, releaseId, bytes } = await zephyrSetup();
  try {
    const actionId = await installOnZephyr(h, conn, token, releaseId, bytes, '1.0.0');
    const detail = (await h.admin('GET', `/api/v1/actions/${actionId}`)).json() as { action: { status: string; reason: string } };
    assert.equal(detail.action.status, 'rolled_back');
    assert.match(detail.action.reason, /runs 1\.0\.0/);
  } finally {
    conn.close();
    await h.close();
  }
});

test('zephyr: cancel is offered instead of the deployment and acknowledged with closed/success', async () => {
  const { h, conn, token, releaseId } = await zephyrSetup();
  try {
    const auth = { Authorization: `TargetToken ${token}` };
    const dep = (await h.admin('POST', '/api/v1/deployments', { controllerId: ID, releaseId })).json() as { id: number };
    assert.equal((await h.admin('POST', `/api/v1/actions/${dep.id}/cancel`)).statusCode, 200);
    const poll = zephyrJson<ZephyrPoll>(await conn.request('GET', `/default/controller/v1/${ID}`, auth));
    assert.equal(poll._links?.deploymentBase, undefined, 'at most one of deploymentBase/cancelAction');
    const href = poll._links?.cancelAction?.href;
    assert.ok(href !== undefined && href.endsWith(`/cancelAction/${dep.id}`));
    assert.notEqual(String(dep.id)[1], '0', 'action ids avoid the Zephyr 4.x parser bug');
    const fb = await conn.request('POST', `${pathOf(href)}/feedback`, { ...auth, 'Content-Type': 'application/json;charset=UTF-8' }, '{"status":{"execution":"closed","result":{"finished":"success"}}}');
    assert.equal(fb.status, 200);
    const poll2 = zephyrJson<ZephyrPoll>(await conn.request('GET', `/default/controller/v1/${ID}`, auth));
    assert.equal(poll2._links?.cancelAction, undefined);
    assert.equal(((await h.admin('GET', `/api/v1/actions/${dep.id}`)).json() as { action: { status: string } }).action.status, 'canceled');
  } finally {
    conn.close();
    await h.close();
  }
});

test('zephyr: a maintenance window holds the deploymentBase link back and shortens the sleep', async () => {
  const { h, conn, token, releaseId } = await zephyrSetup();
  try {
    const auth = { Authorization: `TargetToken ${token}` };
    // Harness clock: 12:00 UTC. Window 13:00–14:00.
    await h.admin('POST', '/api/v1/deployments', { controllerId: ID, releaseId, maintenance: { startMinuteUtc: 13 * 60, durationMinutes: 60 } });
    const closed = zephyrJson<ZephyrPoll>(await conn.request('GET', `/default/controller/v1/${ID}`, auth));
    assert.equal(closed._links?.deploymentBase, undefined);
    assert.equal(closed.config.polling.sleep, '00:05:00', 'min(default 5 min, an hour / 3)');
    h.clock.advanceBy(61 * 60_000);
    const open = zephyrJson<ZephyrPoll>(await conn.request('GET', `/default/controller/v1/${ID}`, auth));
    assert.ok(open._links?.deploymentBase !== undefined);
  } finally {
    conn.close();
    await h.close();
  }
});
