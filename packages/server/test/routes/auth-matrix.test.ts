/**
 * The auth matrix: every route × (no credential, a wrong one, another device's, the right one).
 * Only the last is accepted; the others are 401 with a code in a small JSON body. The table
 * must name every registered route, so a new route without a row fails this test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHarness, seedRelease } from '../harness.js';

type Kind = 'ddi' | 'admin' | 'device';
interface Row {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH';
  route: string;
  url: string;
  kind: Kind;
  body?: unknown;
  contentType?: string;
}

test('auth matrix: only the right credential is accepted, on every route', async () => {
  const h = await createHarness();
  try {
    const a = await seedRelease(h, { controllerId: 'dev-a' });
    const b = await h.admin('POST', '/api/v1/devices', { controllerId: 'dev-b' });
    const tokenB = (b.json() as { token: string }).token;
    const action = (await h.admin('POST', '/api/v1/deployments', { controllerId: 'dev-a', releaseId: a.releaseId })).json() as { id: number };
    const rollout = await h.admin('POST', '/api/v1/rollouts', { name: 'r', releaseId: a.releaseId, filter: { controllerIds: ['dev-b'] }, stages: [{ percent: 100 }] });
    assert.equal(rollout.statusCode, 201, rollout.body);
    const rolloutId = (rollout.json() as { id: number }).id;
    const ddi = '/DEFAULT/controller/v1/dev-a';
    const D = '/:tenant/controller/v1/:controllerId';
    const feedback = { status: { execution: 'proceeding', result: { finished: 'none' } } };
    const rows: Row[] = [
      { method: 'GET', route: D, url: ddi, kind: 'ddi' },
      { method: 'PUT', route: `${D}/configData`, url: `${ddi}/configData`, kind: 'ddi', body: { data: { k: 'v' } } },
      { method: 'GET', route: `${D}/deploymentBase/:actionId`, url: `${ddi}/deploymentBase/${action.id}`, kind: 'ddi' },
      { method: 'POST', route: `${D}/deploymentBase/:actionId/feedback`, url: `${ddi}/deploymentBase/${action.id}/feedback`, kind: 'ddi', body: feedback },
      { method: 'GET', route: `${D}/cancelAction/:actionId`, url: `${ddi}/cancelAction/${action.id}`, kind: 'ddi' },
      { method: 'POST', route: `${D}/cancelAction/:actionId/feedback`, url: `${ddi}/cancelAction/${action.id}/feedback`, kind: 'ddi', body: feedback },
      { method: 'GET', route: `${D}/installedBase/:actionId`, url: `${ddi}/installedBase/${action.id}`, kind: 'ddi' },
      { method: 'PUT', route: `${D}/installedBase`, url: `${ddi}/installedBase`, kind: 'ddi', body: { name: 'sensor-fw', version: '1.0.0' } },
      { method: 'GET', route: `${D}/confirmationBase`, url: `${ddi}/confirmationBase`, kind: 'ddi' },
      { method: 'GET', route: `${D}/confirmationBase/:actionId`, url: `${ddi}/confirmationBase/${action.id}`, kind: 'ddi' },
      { method: 'POST', route: `${D}/confirmationBase/:actionId/feedback`, url: `${ddi}/confirmationBase/${action.id}/feedback`, kind: 'ddi', body: { confirmation: 'confirmed' } },
      { method: 'POST', route: `${D}/confirmationBase/activateAutoConfirm`, url: `${ddi}/confirmationBase/activateAutoConfirm`, kind: 'ddi' },
      { method: 'POST', route: `${D}/confirmationBase/deactivateAutoConfirm`, url: `${ddi}/confirmationBase/deactivateAutoConfirm`, kind: 'ddi' },
      { method: 'GET', route: `${D}/softwaremodules/:smId/artifacts`, url: `${ddi}/softwaremodules/${a.releaseId}/artifacts`, kind: 'ddi' },
      { method: 'GET', route: `${D}/softwaremodules/:smId/artifacts/:fileName`, url: `${ddi}/softwaremodules/${a.releaseId}/artifacts/fw.signed.bin`, kind: 'ddi' },
      { method: 'HEAD', route: `${D}/softwaremodules/:smId/artifacts/:fileName`, url: `${ddi}/softwaremodules/${a.releaseId}/artifacts/fw.signed.bin`, kind: 'ddi' },
      { method: 'POST', route: '/api/v1/devices', url: '/api/v1/devices', kind: 'admin', body: { controllerId: 'dev-new' } },
      { method: 'GET', route: '/api/v1/devices', url: '/api/v1/devices', kind: 'admin' },
      { method: 'GET', route: '/api/v1/devices/:id', url: '/api/v1/devices/dev-a', kind: 'admin' },
      { method: 'PATCH', route: '/api/v1/devices/:id', url: '/api/v1/devices/dev-a', kind: 'admin', body: { tags: ['x'] } },
      { method: 'POST', route: '/api/v1/devices/:id/token', url: '/api/v1/devices/dev-b/token', kind: 'admin' },
      { method: 'GET', route: '/api/v1/devices/:id/actions', url: '/api/v1/devices/dev-a/actions', kind: 'admin' },
      { method: 'POST', route: '/api/v1/artifacts', url: '/api/v1/artifacts?filename=x.bin', kind: 'admin', body: 'abc', contentType: 'application/octet-stream' },
      { method: 'GET', route: '/api/v1/artifacts', url: '/api/v1/artifacts', kind: 'admin' },
      { method: 'GET', route: '/api/v1/artifacts/:sha256', url: `/api/v1/artifacts/${a.sha256}`, kind: 'admin' },
      { method: 'POST', route: '/api/v1/releases', url: '/api/v1/releases', kind: 'admin', body: { name: 'n', version: '9', artifacts: [{ sha256: a.sha256 }] } },
      { method: 'GET', route: '/api/v1/releases', url: '/api/v1/releases', kind: 'admin' },
      { method: 'GET', route: '/api/v1/releases/:id', url: `/api/v1/releases/${a.releaseId}`, kind: 'admin' },
      { method: 'POST', route: '/api/v1/deployments', url: '/api/v1/deployments', kind: 'admin', body: { controllerId: 'dev-a', releaseId: a.releaseId } },
      { method: 'GET', route: '/api/v1/actions/:id', url: `/api/v1/actions/${action.id}`, kind: 'admin' },
      { method: 'POST', route: '/api/v1/actions/:id/cancel', url: `/api/v1/actions/${action.id}/cancel`, kind: 'admin' },
      { method: 'POST', route: '/api/v1/rollouts', url: '/api/v1/rollouts', kind: 'admin', body: { name: 'r2', releaseId: a.releaseId, filter: {}, stages: [{ count: 1 }] } },
      { method: 'GET', route: '/api/v1/rollouts', url: '/api/v1/rollouts', kind: 'admin' },
      { method: 'GET', route: '/api/v1/rollouts/:id', url: `/api/v1/rollouts/${rolloutId}`, kind: 'admin' },
      { method: 'POST', route: '/api/v1/rollouts/:id/pause', url: `/api/v1/rollouts/${rolloutId}/pause`, kind: 'admin' },
      { method: 'POST', route: '/api/v1/rollouts/:id/resume', url: `/api/v1/rollouts/${rolloutId}/resume`, kind: 'admin' },
      { method: 'POST', route: '/api/v1/rollouts/:id/abort', url: `/api/v1/rollouts/${rolloutId}/abort`, kind: 'admin' },
      { method: 'POST', route: '/api/v1/samples', url: '/api/v1/samples', kind: 'device', body: { temp: 21_500, timestamp_ms: 1000, device_id: 'dev-a' } },
      { method: 'GET', route: '/api/v1/devices/:id/samples', url: '/api/v1/devices/dev-a/samples', kind: 'admin' },
      { method: 'GET', route: '/api/v1/tenants/:name', url: '/api/v1/tenants/DEFAULT', kind: 'admin' },
      { method: 'PUT', route: '/api/v1/tenants/:name', url: '/api/v1/tenants/DEFAULT', kind: 'admin', body: { pollSleepSec: 300 } },
      { method: 'POST', route: '/api/v1/api-keys', url: '/api/v1/api-keys', kind: 'admin', body: { name: 'ci' } },
      { method: 'GET', route: '/api/v1/audit', url: '/api/v1/audit', kind: 'admin' },
      { method: 'GET', route: '/api/v1/status', url: '/api/v1/status', kind: 'admin' },
      { method: 'POST', route: '/api/v1/twin', url: '/api/v1/twin', kind: 'device', body: { events: [{ seq: 1, atMs: 1000, kind: 'app', title: 'IDLE → SAMPLE' }] } },
      { method: 'GET', route: '/api/v1/devices/:id/timeline', url: '/api/v1/devices/dev-a/timeline', kind: 'admin' },
      { method: 'GET', route: '/api/v1/devices/:id/slots', url: '/api/v1/devices/dev-a/slots', kind: 'admin' },
      { method: 'GET', route: '/api/v1/rollouts/:id/actions', url: `/api/v1/rollouts/${rolloutId}/actions`, kind: 'admin' },
    ];

    const publicRoutes = new Set(['/healthz', '/metrics']);
    const covered = new Set(rows.map((r) => `${r.method} ${r.route}`));
    for (const r of h.app.slotwise.routes) {
      if (r.url.startsWith('/docs') || publicRoutes.has(r.url) || (r.method === 'HEAD' && !r.url.endsWith(':fileName'))) continue;
      assert.ok(covered.has(`${r.method} ${r.url}`), `auth matrix has no row for ${r.method} ${r.url}`);
    }

    const creds: Record<Kind, { none: undefined; wrong: string; other: string; right: string }> = {
      ddi: { none: undefined, wrong: 'TargetToken ' + 'x'.repeat(32), other: `TargetToken ${tokenB}`, right: `TargetToken ${a.token}` },
      admin: { none: undefined, wrong: 'Bearer sw_not-a-key', other: `Bearer ${a.token}`, right: `Bearer ${h.adminKey}` },
      device: { none: undefined, wrong: 'TargetToken ' + 'y'.repeat(32), other: `TargetToken ${tokenB}`, right: `TargetToken ${a.token}` },
    };
    for (const row of rows) {
      for (const which of ['none', 'wrong', 'other', 'right'] as const) {
        const auth = creds[row.kind][which];
        const res = await h.app.inject({
          method: row.method,
          url: row.url,
          headers: {
            ...(auth === undefined ? {} : { authorization: auth }),
            ...(row.body === undefined ? {} : { 'content-type': row.contentType ?? 'application/json' }),
          },
          ...(row.body === undefined ? {} : { payload: typeof row.body === 'string' ? row.body : JSON.stringify(row.body) }),
        });
        const label = `${which} → ${row.method} ${row.url}`;
        if (which === 'right') {
          assert.notEqual(res.statusCode, 401, `${label}: ${res.body}`);
          assert.ok(res.statusCode < 500, `${label}: ${res.statusCode} ${res.body}`);
        } else {
          assert.equal(res.statusCode, 401, `${label}: ${res.statusCode} ${res.body}`);
          if (row.method !== 'HEAD') {
            const body = res.json() as { code: string; message: string; requestId: string };
            assert.match(body.code, which === 'none' ? /^SW_ERR_AUTH_MISSING$/ : /^SW_ERR_AUTH_(INVALID|MODE_DISABLED)$/, label);
            assert.ok(body.message.length > 0 && body.requestId.length > 0);
          }
        }
      }
    }
  } finally {
    await h.close();
  }
});

test('gateway token: registers unknown devices, honours its id prefix, is refused when the tenant has none', async () => {
  const h = await createHarness();
  try {
    const gw = 'GW' + 'g'.repeat(30);
    const off = await h.app.inject({ method: 'GET', url: '/DEFAULT/controller/v1/lab-1', headers: { authorization: `GatewayToken ${gw}` } });
    assert.equal(off.statusCode, 401);
    assert.equal((off.json() as { code: string }).code, 'SW_ERR_AUTH_MODE_DISABLED');
    assert.equal((await h.admin('PUT', '/api/v1/tenants/DEFAULT', { gatewayToken: gw, gatewayIdPrefix: 'lab-' })).statusCode, 200);
    h.clock.advanceBy(10_000); // past the tenant cache
    const ok = await h.app.inject({ method: 'GET', url: '/default/controller/v1/lab-1', headers: { authorization: `GatewayToken ${gw}` } });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal((await h.admin('GET', '/api/v1/devices/lab-1')).statusCode, 200, 'first poll registered the device');
    const outside = await h.app.inject({ method: 'GET', url: '/default/controller/v1/prod-1', headers: { authorization: `GatewayToken ${gw}` } });
    assert.equal(outside.statusCode, 401);
    assert.equal((await h.admin('GET', '/api/v1/devices/prod-1')).statusCode, 404, 'nothing registered');
  } finally {
    await h.close();
  }
});

test('certificate headers count only from trusted proxies and only for the CN in the path', async () => {
  const h = await createHarness({ config: { trustedProxies: ['127.0.0.1'] } });
  try {
    await h.admin('PUT', '/api/v1/tenants/DEFAULT', { trustedAuthorities: ['AB12CD'] });
    h.clock.advanceBy(10_000);
    const ok = await h.app.inject({ method: 'GET', url: '/DEFAULT/controller/v1/cert-1', headers: { 'x-controller-id': 'cert-1', 'x-authority': 'zz;ab12cd' }, remoteAddress: '127.0.0.1' });
    assert.equal(ok.statusCode, 200, ok.body);
    const indexed = await h.app.inject({ method: 'GET', url: '/DEFAULT/controller/v1/cert-2', headers: { 'x-controller-id': 'cert-2', 'x-authority-0': 'nope', 'x-authority-1': 'ab12cd' }, remoteAddress: '127.0.0.1' });
    assert.equal(indexed.statusCode, 200);
    const wrongCn = await h.app.inject({ method: 'GET', url: '/DEFAULT/controller/v1/cert-1', headers: { 'x-controller-id': 'cert-9', 'x-authority': 'ab12cd' }, remoteAddress: '127.0.0.1' });
    assert.equal(wrongCn.statusCode, 401);
    const untrustedProxy = await h.app.inject({ method: 'GET', url: '/DEFAULT/controller/v1/cert-3', headers: { 'x-controller-id': 'cert-3', 'x-authority': 'ab12cd' }, remoteAddress: '10.0.0.5' });
    assert.equal(untrustedProxy.statusCode, 401, 'headers from an untrusted address are ignored');
  } finally {
    await h.close();
  }
});

test('insecure lab mode is off by default and, when on, admits unauthenticated devices', async () => {
  const off = await createHarness();
  const on = await createHarness({ config: { insecureLab: true } });
  try {
    assert.equal((await off.app.inject({ method: 'GET', url: '/DEFAULT/controller/v1/old-1' })).statusCode, 401);
    assert.equal((await on.app.inject({ method: 'GET', url: '/DEFAULT/controller/v1/old-1' })).statusCode, 200);
  } finally {
    await off.close();
    await on.close();
  }
});
