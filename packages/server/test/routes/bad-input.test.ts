/**
 * Bad input gets a clear 4xx with a registered code, and nothing is stored: malformed JSON,
 * schema violations, oversized bodies, bad Range headers, unknown devices and actions, images
 * failing verification, path traversal in artifact names.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { createHarness, seedRelease } from '../harness.js';
import type { ImageInspector } from '../../src/service/artifacts.js';

function expectCode(res: LightMyRequestResponse, status: number, code: string): void {
  assert.equal(res.statusCode, status, res.body);
  const body = res.json() as { code: string; message: string; requestId: string };
  assert.equal(body.code, code);
  assert.ok(body.message.length > 10, 'a message a person can act on');
  assert.ok(body.requestId.length > 0);
}

function blobFiles(dir: string): string[] {
  const root = join(dir, 'artifacts');
  return readdirSync(root).flatMap((sub) => readdirSync(join(root, sub)).map((f) => `${sub}/${f}`));
}

test('DDI: malformed JSON, unknown enum, missing result, unknown action, foreign action', async () => {
  const h = await createHarness();
  try {
    const { token, releaseId } = await seedRelease(h);
    const other = await seedRelease(h, { controllerId: 'dev-2', version: '3.0.0' });
    const auth = { authorization: `TargetToken ${token}`, 'content-type': 'application/json' };
    const action = (await h.admin('POST', '/api/v1/deployments', { controllerId: 'dev-1', releaseId })).json() as { id: number };
    const foreign = (await h.admin('POST', '/api/v1/deployments', { controllerId: 'dev-2', releaseId: other.releaseId })).json() as { id: number };
    const fb = `/DEFAULT/controller/v1/dev-1/deploymentBase/${action.id}/feedback`;
    expectCode(await h.app.inject({ method: 'POST', url: fb, headers: auth, payload: '{"status": {' }), 400, 'SW_ERR_REQUEST_MALFORMED');
    expectCode(await h.app.inject({ method: 'POST', url: fb, headers: auth, payload: '{"status":{"execution":"exploded","result":{"finished":"none"}}}' }), 400, 'SW_ERR_REQUEST_INVALID');
    expectCode(await h.app.inject({ method: 'POST', url: fb, headers: auth, payload: '{"status":{"execution":"closed"}}' }), 400, 'SW_ERR_REQUEST_INVALID');
    expectCode(await h.app.inject({ method: 'POST', url: `/DEFAULT/controller/v1/dev-1/deploymentBase/999999/feedback`, headers: auth, payload: '{"status":{"execution":"closed","result":{"finished":"success"}}}' }), 404, 'SW_ERR_ACTION_NOT_FOUND');
    expectCode(await h.app.inject({ method: 'GET', url: `/DEFAULT/controller/v1/dev-1/deploymentBase/${foreign.id}`, headers: auth }), 404, 'SW_ERR_ACTION_NOT_FOUND');
    expectCode(await h.app.inject({ method: 'GET', url: `/DEFAULT/controller/v1/dev-1/deploymentBase/abc`, headers: auth }), 400, 'SW_ERR_REQUEST_INVALID');
    expectCode(await h.app.inject({ method: 'PUT', url: '/DEFAULT/controller/v1/dev-1/configData', headers: auth, payload: JSON.stringify({ data: { 'bad\u0001key': 'v' } }) }), 400, 'SW_ERR_DEVICE_ATTRIBUTES_INVALID');
    expectCode(await h.app.inject({ method: 'GET', url: '/DEFAULT/controller/v1/dev-1/softwaremodules/999/artifacts/fw.signed.bin', headers: auth }), 404, 'SW_ERR_ARTIFACT_NOT_FOUND');
    expectCode(await h.app.inject({ method: 'GET', url: `/DEFAULT/controller/v1/dev-1/softwaremodules/${other.releaseId}/artifacts/fw.signed.bin`, headers: auth }), 404, 'SW_ERR_ARTIFACT_NOT_FOUND');
    expectCode(await h.app.inject({ method: 'GET', url: `/DEFAULT/controller/v1/dev-1/softwaremodules/${releaseId}/artifacts/..%2F..%2Fetc%2Fpasswd`, headers: auth }), 404, 'SW_ERR_ARTIFACT_NOT_FOUND');
    expectCode(await h.app.inject({ method: 'GET', url: `/DEFAULT/controller/v1/dev-1/cancelAction/${action.id}/feedback`, headers: auth }), 404, 'SW_ERR_ROUTE_NOT_FOUND');
    expectCode(await h.app.inject({ method: 'POST', url: `/DEFAULT/controller/v1/dev-1/cancelAction/${action.id}/feedback`, headers: auth, payload: '{"status":{"execution":"closed","result":{"finished":"success"}}}' }), 405, 'SW_ERR_ACTION_NOT_CANCELABLE');
    const statuses = await h.store.countActionStatus(action.id);
    assert.equal(statuses, 1, 'only the assignment entry: no rejected feedback was stored');
  } finally {
    await h.close();
  }
});

test('DDI: bad and unsatisfiable Range headers are 416 with bytes */size; If-Match mismatch is 412', async () => {
  const h = await createHarness();
  try {
    const { token, releaseId, bytes } = await seedRelease(h);
    await h.admin('POST', '/api/v1/deployments', { controllerId: 'dev-1', releaseId });
    const url = `/DEFAULT/controller/v1/dev-1/softwaremodules/${releaseId}/artifacts/fw.signed.bin`;
    for (const range of ['bytes=abc', `bytes=${bytes.length}-`, 'bytes=10-5', 'bytes=0-5,3-9', 'lines=1-2']) {
      const res = await h.app.inject({ method: 'GET', url, headers: { authorization: `TargetToken ${token}`, range } });
      expectCode(res, 416, 'SW_ERR_RANGE_NOT_SATISFIABLE');
      assert.equal(res.headers['content-range'], `bytes */${bytes.length}`, range);
    }
    expectCode(await h.app.inject({ method: 'GET', url, headers: { authorization: `TargetToken ${token}`, 'if-match': '"nope"' } }), 412, 'SW_ERR_PRECONDITION_FAILED');
    const ifRange = await h.app.inject({ method: 'GET', url, headers: { authorization: `TargetToken ${token}`, range: 'bytes=0-9', 'if-range': '"stale"' } });
    assert.equal(ifRange.statusCode, 200, 'a stale If-Range ignores Range and sends the whole file');
  } finally {
    await h.close();
  }
});

test('uploads: traversal names, empty and oversized bodies, wrong media type, failing images: 4xx and nothing stored', async () => {
  const rejectAll: ImageInspector = async (bytes) => (bytes[0] === 0x3d ? { kind: 'rejected', reason: 'INVALID_SIGNATURE', detail: 'signature does not verify with any trusted key' } : { kind: 'opaque' });
  const h = await createHarness({ inspectImage: rejectAll, config: { maxUploadBytes: 4096 } });
  try {
    const up = (filename: string, payload: Buffer, type = 'application/octet-stream') =>
      h.app.inject({ method: 'POST', url: `/api/v1/artifacts?filename=${encodeURIComponent(filename)}`, headers: { authorization: `Bearer ${h.adminKey}`, 'content-type': type }, payload });
    for (const name of ['../evil.bin', 'a/b.bin', '..\\x.bin', '.hidden', 'x\u0000.bin']) expectCode(await up(name, Buffer.from('data')), 400, 'SW_ERR_ARTIFACT_NAME_INVALID');
    expectCode(await up('ok.bin', Buffer.alloc(0)), 400, 'SW_ERR_ARTIFACT_EMPTY');
    expectCode(await up('big.bin', Buffer.alloc(5000, 1)), 413, 'SW_ERR_REQUEST_TOO_LARGE');
    expectCode(await up('img.bin', Buffer.from([0x3d, 0xb8, 0xf3, 0x96])), 422, 'SW_ERR_IMAGE_REJECTED');
    expectCode(await up('j.bin', Buffer.from('{}'), 'text/plain'), 415, 'SW_ERR_REQUEST_MEDIA_TYPE');
    assert.deepEqual(blobFiles(h.dir), [], 'no bytes on disk');
    assert.deepEqual((await h.admin('GET', '/api/v1/artifacts')).json(), [], 'no artifact records');
  } finally {
    await h.close();
  }
});

test('management: malformed JSON, schema violations, unknown device/release/rollout, duplicate registration', async () => {
  const h = await createHarness();
  try {
    const post = (url: string, payload: string) => h.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${h.adminKey}`, 'content-type': 'application/json' }, payload });
    expectCode(await post('/api/v1/devices', '{"controllerId": '), 400, 'SW_ERR_REQUEST_MALFORMED');
    expectCode(await post('/api/v1/devices', '{"controllerId": 42}'.replace('42', '""')), 400, 'SW_ERR_REQUEST_INVALID');
    expectCode(await post('/api/v1/devices', '{"controllerId": "has/slash"}'), 400, 'SW_ERR_REQUEST_INVALID');
    expectCode(await post('/api/v1/devices', `{"controllerId": "x", "pad": "${'z'.repeat(2 * 1024 * 1024)}"}`), 413, 'SW_ERR_REQUEST_TOO_LARGE');
    assert.equal((await post('/api/v1/devices', '{"controllerId": "d1"}')).statusCode, 201);
    expectCode(await post('/api/v1/devices', '{"controllerId": "d1"}'), 409, 'SW_ERR_DEVICE_EXISTS');
    expectCode(await h.admin('GET', '/api/v1/devices/nobody'), 404, 'SW_ERR_DEVICE_NOT_FOUND');
    expectCode(await h.admin('GET', '/api/v1/releases/77'), 404, 'SW_ERR_RELEASE_NOT_FOUND');
    expectCode(await h.admin('GET', '/api/v1/rollouts/77'), 404, 'SW_ERR_ROLLOUT_NOT_FOUND');
    expectCode(await post('/api/v1/releases', JSON.stringify({ name: 'x', version: '1', artifacts: [{ sha256: 'a'.repeat(64) }] })), 404, 'SW_ERR_ARTIFACT_NOT_FOUND');
    expectCode(await post('/api/v1/deployments', JSON.stringify({ controllerId: 'nobody', releaseId: 1 })), 404, 'SW_ERR_DEVICE_NOT_FOUND');
    expectCode(await h.admin('GET', '/api/v1/nothing-here'), 404, 'SW_ERR_ROUTE_NOT_FOUND');
    assert.equal((await h.admin('GET', '/api/v1/devices')).json().length, 1, 'only the one valid registration stored');
  } finally {
    await h.close();
  }
});

test('feedback quotas: more than 50 details, or more than 1000 statuses per action, is 429', async () => {
  const h = await createHarness();
  try {
    const { token, releaseId } = await seedRelease(h);
    const action = (await h.admin('POST', '/api/v1/deployments', { controllerId: 'dev-1', releaseId })).json() as { id: number };
    const post = (details: string[]) =>
      h.app.inject({ method: 'POST', url: `/DEFAULT/controller/v1/dev-1/deploymentBase/${action.id}/feedback`, headers: { authorization: `TargetToken ${token}`, 'content-type': 'application/json' }, payload: JSON.stringify({ status: { execution: 'proceeding', result: { finished: 'none' }, details } }) });
    expectCode(await post(Array.from({ length: 51 }, (_, i) => `line ${i}`)), 429, 'SW_ERR_ACTION_QUOTA');
    for (let i = 0; i < 1000; i++) await h.store.addActionStatus({ actionId: action.id, atMs: 0, source: 'device', execution: 'proceeding', finished: 'none', code: null, details: [] });
    expectCode(await post(['one more']), 429, 'SW_ERR_ACTION_QUOTA');
  } finally {
    await h.close();
  }
});

test('unknown devices: a target token for an unregistered controllerId is refused and registers nothing', async () => {
  const h = await createHarness();
  try {
    const { token } = await seedRelease(h);
    const res = await h.app.inject({ method: 'GET', url: '/DEFAULT/controller/v1/ghost-7', headers: { authorization: `TargetToken ${token}` } });
    expectCode(res, 401, 'SW_ERR_AUTH_INVALID');
    assert.match((res.json() as { message: string }).message, /not registered/);
    expectCode(await h.app.inject({ method: 'GET', url: '/NOPE/controller/v1/dev-1', headers: { authorization: `TargetToken ${token}` } }), 401, 'SW_ERR_AUTH_INVALID');
    expectCode(await h.admin('GET', '/api/v1/devices/ghost-7'), 404, 'SW_ERR_DEVICE_NOT_FOUND');
  } finally {
    await h.close();
  }
});
