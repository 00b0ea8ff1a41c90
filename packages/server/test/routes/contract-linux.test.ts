/**
 * Contracts: SWUpdate suricatta (hawkbit-ddi.md B.2, B.2.1) and rauc-hawkbit-updater (B.3),
 * replaying their request sequences and headers through inject() and checking every field
 * they parse. Both follow absolute hrefs, send legacy fields, and are opaque-artifact clients.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { createHarness, seedRelease, type Harness } from '../harness.js';

const path = (href: string): string => {
  const u = new URL(href);
  return u.pathname + u.search;
};

interface Poll {
  config: { polling: { sleep: string } };
  _links?: Record<string, { href: string }>;
}
interface Deployment {
  id: string;
  deployment: { download: string; update: string; chunks: { part: string; version: string; name: string; artifacts: { filename: string; size: number; hashes: { sha1: string; md5: string; sha256: string }; _links: Record<string, { href: string }> }[] }[] };
}

function client(h: Harness, id: string, token: string, accept: string) {
  const headers = { authorization: `TargetToken ${token}`, accept, 'user-agent': 'libcurl-agent/1.0' };
  return {
    get: (url: string, extra: Record<string, string> = {}) => h.app.inject({ method: 'GET', url, headers: { ...headers, ...extra } }),
    head: (url: string) => h.app.inject({ method: 'HEAD', url, headers }),
    send: (method: 'POST' | 'PUT', url: string, body: unknown) => h.app.inject({ method, url, headers: { ...headers, 'content-type': 'application/json' }, payload: JSON.stringify(body) }),
    poll: () => h.app.inject({ method: 'GET', url: `/DEFAULT/controller/v1/${id}`, headers }),
  };
}

function okEmpty(res: LightMyRequestResponse): void {
  assert.equal(res.statusCode, 200, `200 (not 201/204): ${res.body}`);
  assert.equal(res.headers['content-length'], '0');
}

test('swupdate: configData with legacy fields, HEAD + GET + Range resume, feedback with nonsense progress, close', async () => {
  const h = await createHarness();
  try {
    const { token, releaseId, bytes } = await seedRelease(h, { controllerId: 'gw-1', filename: 'update.swu' });
    const c = client(h, 'gw-1', token, 'application/json');
    // Once after every start, even without a link; mode replace; legacy id/time/status.
    okEmpty(await c.send('PUT', '/DEFAULT/controller/v1/gw-1/configData', { id: '', time: '20260101T120000', mode: 'replace', status: { result: { finished: 'success' }, execution: 'closed', details: [''] }, data: { hw: 'rev3' } }));
    await h.admin('POST', '/api/v1/deployments', { controllerId: 'gw-1', releaseId, requireVersionReport: false });

    const res = await c.poll();
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8', 'Accept: application/json is honoured');
    const poll = res.json() as Poll;
    assert.match(poll.config.polling.sleep, /^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/, 'strptime("%H:%M:%S")');
    assert.equal(poll._links?.configData, undefined, 'link gone once attributes arrived');
    const dbHref = poll._links?.deploymentBase?.href ?? '';
    assert.match(dbHref, /^http:\/\/ota\.test:8080\/DEFAULT\/controller\/v1\/gw-1\/deploymentBase\/\d+\?c=-?\d+$/, 'absolute URL');

    const db = (await c.get(path(dbHref))).json() as Deployment;
    assert.match(db.id, /^\d+$/);
    assert.ok(['forced', 'attempt'].includes(db.deployment.update), 'update present: a missing one is handled like skip');
    const art = db.deployment.chunks[0]?.artifacts[0];
    assert.equal(art?.filename, 'update.swu');
    assert.equal(art?.size, bytes.length);
    assert.equal(art?.hashes.sha1, createHash('sha1').update(bytes).digest('hex'));
    assert.equal(art?._links.download, undefined, 'plain-HTTP server: only the -http links');
    const dl = path(art?._links['download-http']?.href ?? '');
    assert.ok(art?._links['md5sum-http'] !== undefined);

    const head = await c.head(dl);
    assert.equal(head.statusCode, 200);
    assert.equal(head.headers['content-length'], String(bytes.length));
    assert.equal(head.rawPayload.length, 0);
    const resumed = await c.get(dl, { accept: 'application/octet-stream', range: 'bytes=4000-' });
    assert.equal(resumed.statusCode, 206);
    assert.deepEqual(new Uint8Array(resumed.rawPayload), bytes.subarray(4000));
    const md5 = await c.get(path(art?._links['md5sum-http']?.href ?? ''));
    assert.equal(md5.body, `${createHash('md5').update(bytes).digest('hex')}  update.swu`);

    const fb = `${path(dbHref).split('?')[0] ?? ''}/feedback`;
    const status = (execution: string, finished: string, details: string[]) => ({ id: Number(db.id), time: '20261127T131105', status: { result: { progress: { cnt: 3, of: 0 }, finished }, execution, details } });
    okEmpty(await c.send('POST', fb, status('proceeding', 'none', ['Installing Update Chunk Artifacts.'])));
    okEmpty(await c.send('POST', fb, status('proceeding', 'none', ['Installed Chunk.'])));
    okEmpty(await c.send('POST', fb, status('closed', 'success', ['Update Installed.'])));
    assert.equal(((await c.poll()).json() as Poll)._links?.deploymentBase, undefined, 'deploymentBase disappears after closed');
    const late = await c.send('POST', fb, status('closed', 'success', []));
    assert.equal(late.statusCode, 410, 'feedback on a closed action is Gone');
    assert.equal((late.json() as { code: string }).code, 'SW_ERR_ACTION_GONE');
    const action = ((await h.admin('GET', `/api/v1/actions/${db.id}`)).json() as { action: { status: string }; history: { details: string[] }[] });
    assert.equal(action.action.status, 'succeeded');
    assert.ok(action.history.some((e) => e.details.includes('Installed Chunk.')));
  } finally {
    await h.close();
  }
});

test('swupdate: cancel via stopId and feedback to the cancel href', async () => {
  const h = await createHarness();
  try {
    const { token, releaseId } = await seedRelease(h, { controllerId: 'gw-2' });
    const c = client(h, 'gw-2', token, 'application/json');
    const dep = (await h.admin('POST', '/api/v1/deployments', { controllerId: 'gw-2', releaseId })).json() as { id: number };
    await h.admin('POST', `/api/v1/actions/${dep.id}/cancel`);
    const href = ((await c.poll()).json() as Poll)._links?.cancelAction?.href ?? '';
    const cancel = (await c.get(path(href))).json() as { id: string; cancelAction: { stopId: string } };
    assert.deepEqual(cancel, { id: String(dep.id), cancelAction: { stopId: String(dep.id) } });
    okEmpty(await c.send('POST', `${path(href)}/feedback`, { id: Number(cancel.cancelAction.stopId), time: '20261127T131105', status: { result: { finished: 'success' }, execution: 'closed', details: ['cancellation acknowledged.'] } }));
    assert.equal(((await h.admin('GET', `/api/v1/actions/${dep.id}`)).json() as { action: { status: string } }).action.status, 'canceled');
  } finally {
    await h.close();
  }
});

test('swupdate: a download-only assignment is held back (SWUpdate would close it on update=skip)', async () => {
  const h = await createHarness();
  try {
    const { token, releaseId } = await seedRelease(h, { controllerId: 'gw-3', profile: 'swupdate' });
    const c = client(h, 'gw-3', token, 'application/json');
    await h.admin('POST', '/api/v1/deployments', { controllerId: 'gw-3', releaseId, type: 'download_only' });
    assert.equal(((await c.poll()).json() as Poll)._links?.deploymentBase, undefined);
  } finally {
    await h.close();
  }
});

test('rauc: one chunk, one artifact; resume ranges; progress messages; closed/success before reboot waits for the version', async () => {
  const h = await createHarness();
  try {
    const { token, releaseId, bytes } = await seedRelease(h, { controllerId: 'rauc-1', filename: 'bundle.raucb' });
    const c = client(h, 'rauc-1', token, 'application/json;charset=UTF-8');
    okEmpty(await c.send('PUT', '/DEFAULT/controller/v1/rauc-1/configData', { time: '20261127T120000', status: { result: { finished: 'success' }, execution: 'closed' }, data: { MAC: '02:00:5e:10:00:01' } }));
    okEmpty(await c.send('PUT', '/DEFAULT/controller/v1/rauc-1/configData', { data: { hw: 'imx8' } }));
    const dev = (await h.admin('GET', '/api/v1/devices/rauc-1')).json() as { attributes: Record<string, string> };
    assert.deepEqual(dev.attributes, { MAC: '02:00:5e:10:00:01', hw: 'imx8' }, 'no mode = merge');

    await h.admin('POST', '/api/v1/deployments', { controllerId: 'rauc-1', releaseId });
    const poll = (await c.poll()).json() as Poll;
    const db = (await c.get(path(poll._links?.deploymentBase?.href ?? ''))).json() as Deployment;
    assert.equal(db.deployment.download, 'forced');
    assert.equal(db.deployment.update, 'forced');
    assert.equal(db.deployment.chunks.length, 1);
    assert.equal(db.deployment.chunks[0]?.artifacts.length, 1);
    const dl = path(db.deployment.chunks[0]?.artifacts[0]?._links['download-http']?.href ?? '');
    // Streaming mode: many small ranges.
    for (let off = 0; off < bytes.length; off += 1024) {
      const end = Math.min(bytes.length - 1, off + 1023);
      const part = await c.get(dl, { range: `bytes=${off}-${end}` });
      assert.equal(part.statusCode, 206);
      assert.deepEqual(new Uint8Array(part.rawPayload), bytes.subarray(off, end + 1));
    }
    // Resume from the full file size: nothing left to send.
    const past = await c.get(dl, { range: `bytes=${bytes.length}-` });
    assert.equal(past.statusCode, 416);
    assert.equal(past.headers['content-range'], `bytes */${bytes.length}`);

    const fb = `/DEFAULT/controller/v1/rauc-1/deploymentBase/${db.id}/feedback`;
    const msg = (execution: string, finished: string, detail: string) => ({ id: db.id, time: '20261127T120501', status: { result: { finished }, execution, details: [detail] } });
    okEmpty(await c.send('POST', fb, msg('proceeding', 'none', 'Download complete. 12.00 MB/s')));
    okEmpty(await c.send('POST', fb, msg('proceeding', 'none', 'File checksum OK.')));
    okEmpty(await c.send('POST', fb, msg('closed', 'success', 'Software bundle installed successfully.')));
    assert.equal(((await h.admin('GET', `/api/v1/actions/${db.id}`)).json() as { action: { status: string } }).action.status, 'verifying', 'success before reboot is not proof');
    okEmpty(await c.send('PUT', '/DEFAULT/controller/v1/rauc-1/installedBase', { name: 'sensor-fw', version: '2.0.0' }));
    assert.equal(((await h.admin('GET', `/api/v1/actions/${db.id}`)).json() as { action: { status: string } }).action.status, 'succeeded');
    const ib = (await c.poll()).json() as Poll;
    const installed = await c.get(path(ib._links?.installedBase?.href ?? ''));
    assert.equal(installed.statusCode, 200);
    assert.equal((installed.json() as Deployment).id, db.id);
  } finally {
    await h.close();
  }
});

test('rauc: download-only gets update=skip and closes on downloaded; refusing a cancel keeps the action running', async () => {
  const h = await createHarness();
  try {
    const { token, releaseId } = await seedRelease(h, { controllerId: 'rauc-2' });
    const c = client(h, 'rauc-2', token, 'application/json;charset=UTF-8');
    const dep = (await h.admin('POST', '/api/v1/deployments', { controllerId: 'rauc-2', releaseId, type: 'download_only' })).json() as { id: number };
    const db = (await c.get(path(((await c.poll()).json() as Poll)._links?.deploymentBase?.href ?? ''))).json() as Deployment;
    assert.deepEqual([db.deployment.download, db.deployment.update], ['forced', 'skip']);
    await h.admin('POST', `/api/v1/actions/${dep.id}/cancel`);
    const href = ((await c.poll()).json() as Poll)._links?.cancelAction?.href ?? '';
    okEmpty(await c.send('POST', `${path(href)}/feedback`, { id: String(dep.id), time: '20261127T120501', status: { result: { finished: 'success' }, execution: 'rejected', details: ['Cancelation impossible, installation started already.'] } }));
    assert.equal(((await h.admin('GET', `/api/v1/actions/${dep.id}`)).json() as { action: { status: string } }).action.status, 'running');
    okEmpty(await c.send('POST', `/DEFAULT/controller/v1/rauc-2/deploymentBase/${dep.id}/feedback`, { id: String(dep.id), time: '20261127T120502', status: { result: { finished: 'success' }, execution: 'downloaded', details: ['File checksum OK.'] } }));
    assert.equal(((await h.admin('GET', `/api/v1/actions/${dep.id}`)).json() as { action: { status: string } }).action.status, 'succeeded');
  } finally {
    await h.close();
  }
});
