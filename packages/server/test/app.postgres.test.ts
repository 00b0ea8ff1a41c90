/**
 * The whole app on PostgreSQL (store and artifact bytes): a staged rollout where one device
 * installs, one rolls back, artifacts served from the database with Range.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPostgresBlobStore } from '../src/store/postgres/postgres-blob-store.js';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import { createHarness, seedRelease } from './harness.js';
import { freshSchemas, pgTestUrl } from './pg-test-env.js';

const env = pgTestUrl();
if ('skip' in env) {
  test('app on postgres', { skip: env.skip }, () => undefined);
} else {
  const schema = freshSchemas(env.url)();

  test('app on postgres: rollout with a rollback, artifact ranges from the database', async () => {
    const store = openPostgresStore({ url: env.url, schema });
    await store.migrate();
    const blobs = openPostgresBlobStore({ url: env.url, schema });
    const h = await createHarness({ store, blobs });
    try {
      const bytes = new Uint8Array(300_000).map((_, i) => (i * 13) & 0xff);
      const { releaseId } = await seedRelease(h, { controllerId: 'p0', bytes });
      const t0 = ((await h.admin('POST', '/api/v1/devices/p0/token')).json() as { token: string }).token;
      const t1 = ((await h.admin('POST', '/api/v1/devices', { controllerId: 'p1', runningVersion: '1.0.0' })).json() as { token: string }).token;
      const ro = (await h.admin('POST', '/api/v1/rollouts', { name: 'pg', releaseId, filter: {}, stages: [{ count: 1 }, { percent: 100 }], successThreshold: 1, maxFailureRatio: 0.9 })).json() as { id: number };
      const run = async (id: string, token: string, runs: string) => {
        const auth = { authorization: `TargetToken ${token}` };
        const poll = (await h.app.inject({ method: 'GET', url: `/DEFAULT/controller/v1/${id}`, headers: auth })).json() as { _links?: Record<string, { href: string }> };
        const href = poll._links?.deploymentBase?.href;
        assert.ok(href !== undefined, `${id} has a deployment`);
        const db = (await h.app.inject({ method: 'GET', url: new URL(href).pathname, headers: auth })).json() as { id: string; deployment: { chunks: { artifacts: { _links: Record<string, { href: string }> }[] }[] } };
        const dl = new URL(db.deployment.chunks[0]?.artifacts[0]?._links['download-http']?.href ?? '').pathname;
        const part = await h.app.inject({ method: 'GET', url: dl, headers: { ...auth, range: 'bytes=262000-262999' } });
        assert.equal(part.statusCode, 206);
        assert.deepEqual(new Uint8Array(part.rawPayload), bytes.subarray(262_000, 263_000));
        const full = await h.app.inject({ method: 'GET', url: dl, headers: auth });
        assert.deepEqual(new Uint8Array(full.rawPayload), bytes);
        const json = { ...auth, 'content-type': 'application/json' };
        assert.equal((await h.app.inject({ method: 'POST', url: `/DEFAULT/controller/v1/${id}/deploymentBase/${db.id}/feedback`, headers: json, payload: '{"status":{"execution":"closed","result":{"finished":"success"}}}' })).statusCode, 200);
        assert.equal((await h.app.inject({ method: 'PUT', url: `/DEFAULT/controller/v1/${id}/configData`, headers: json, payload: JSON.stringify({ data: { fw_version: runs } }) })).statusCode, 200);
      };
      await run('p0', t0, '2.0.0');
      await run('p1', t1, '1.0.0');
      const summary = (await h.admin('GET', `/api/v1/rollouts/${ro.id}`)).json() as { rollout: { state: string }; stages: { succeeded: number; rolledBack: number }[] };
      assert.equal(summary.rollout.state, 'finished');
      assert.deepEqual(summary.stages.map((s) => [s.succeeded, s.rolledBack]), [[1, 0], [0, 1]]);
      assert.equal((await h.admin('GET', '/api/v1/status')).json().storage, 'postgres');
    } finally {
      await h.close();
      await blobs.close();
    }
  });
}
