/**
 * @module test/store.suite
 * The conformance suite every Store backend must pass (STYLE.md §4.11). Each test gets a fresh,
 * migrated store from `open` and closes it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ActionRecord, DeviceRecord, Store } from '../src/store/store.js';

export function device(controllerId: string, extra: Partial<DeviceRecord> = {}): DeviceRecord {
  return {
    tenant: 'DEFAULT',
    controllerId,
    token: `tok${controllerId.replace(/[^A-Za-z0-9]/g, '')}`.padEnd(32, 'x').slice(0, 32),
    attributes: {},
    tags: [],
    group: null,
    profile: 'auto',
    runningVersion: null,
    previousVersion: null,
    lastSeenMs: null,
    createdMs: 1000,
    configRequested: true,
    activeActionId: null,
    installedActionId: null,
    ...extra,
  };
}

export function action(id: number, controllerId: string, extra: Partial<ActionRecord> = {}): ActionRecord {
  return {
    id,
    tenant: 'DEFAULT',
    controllerId,
    releaseId: 1,
    rolloutId: null,
    stage: null,
    status: 'running',
    type: 'forced',
    maintenance: null,
    fromVersion: '1.0.0',
    deadlineMs: null,
    requireVersionReport: true,
    createdMs: 2000,
    updatedMs: 2000,
    retrievedMs: null,
    bytesServed: 0,
    highestOffset: 0,
    downloads: 0,
    lastExecution: null,
    lastFinished: null,
    reason: null,
    ...extra,
  };
}

export function runStoreSuite(name: string, open: () => Promise<Store>): void {
  const withStore = (title: string, body: (store: Store) => Promise<void>): void => {
    test(`${name}: ${title}`, async () => {
      const store = await open();
      try {
        await body(store);
      } finally {
        await store.close();
      }
    });
  };

  withStore('migrate is idempotent', async (store) => {
    await store.migrate();
    await store.migrate();
    assert.equal(await store.countDevices('DEFAULT'), 0);
  });

  withStore('tenants round-trip and upsert', async (store) => {
    const t = { name: 'DEFAULT', gatewayToken: 'gw', gatewayIdPrefix: 'lab-', trustedAuthorities: ['ab'], trustedKeys: [], downgradeGuard: true, pollSleepSec: 300, pollJitterPct: 10 };
    await store.putTenant(t);
    assert.deepEqual(await store.getTenant('DEFAULT'), t);
    await store.putTenant({ ...t, gatewayToken: null });
    assert.equal((await store.getTenant('DEFAULT'))?.gatewayToken, null);
    assert.equal(await store.getTenant('OTHER'), null);
  });

  withStore('devices: create, duplicate refused, lookup by token, patch', async (store) => {
    const d = device('dev-1', { attributes: { a: 'b' }, tags: ['eu', 'beta'], group: 'g1' });
    assert.equal(await store.createDevice(d), true);
    assert.equal(await store.createDevice(d), false);
    assert.equal(await store.createDevice({ ...device('dev-2'), token: d.token }), false, 'tokens are unique');
    assert.deepEqual(await store.getDevice('DEFAULT', 'dev-1'), d);
    assert.deepEqual(await store.getDeviceByToken(d.token), d);
    assert.equal(await store.getDeviceByToken('nope'), null);
    const patched = await store.updateDevice('DEFAULT', 'dev-1', { runningVersion: '1.2.3', configRequested: false, attributes: { x: 'y' } });
    assert.equal(patched?.runningVersion, '1.2.3');
    assert.equal(patched?.configRequested, false);
    assert.deepEqual(patched?.attributes, { x: 'y' });
    assert.equal(await store.updateDevice('DEFAULT', 'missing', { runningVersion: '1' }), null);
  });

  withStore('devices: list with filter and paging', async (store) => {
    for (let i = 0; i < 5; i++) await store.createDevice(device(`d${i}`, { tags: i % 2 === 0 ? ['even'] : [], group: i < 3 ? 'a' : 'b', runningVersion: '1.0.0' }));
    assert.equal(await store.countDevices('DEFAULT'), 5);
    assert.deepEqual((await store.listDevices('DEFAULT')).map((d) => d.controllerId), ['d0', 'd1', 'd2', 'd3', 'd4']);
    assert.deepEqual((await store.listDevices('DEFAULT', undefined, { limit: 2, offset: 1 })).map((d) => d.controllerId), ['d1', 'd2']);
    assert.deepEqual((await store.listDevices('DEFAULT', { tags: ['even'], group: 'a' })).map((d) => d.controllerId), ['d0', 'd2']);
    assert.deepEqual((await store.listDevices('OTHER')).length, 0);
  });

  withStore('touchDevices never moves last-seen backwards', async (store) => {
    await store.createDevice(device('d1'));
    await store.touchDevices([{ tenant: 'DEFAULT', controllerId: 'd1', atMs: 5000 }]);
    await store.touchDevices([{ tenant: 'DEFAULT', controllerId: 'd1', atMs: 4000 }, { tenant: 'DEFAULT', controllerId: 'ghost', atMs: 1 }]);
    assert.equal((await store.getDevice('DEFAULT', 'd1'))?.lastSeenMs, 5000);
  });

  withStore('artifacts are idempotent per tenant and sha256', async (store) => {
    const a = { tenant: 'DEFAULT', sha256: 'aa'.repeat(32), sha1: 'bb'.repeat(20), md5: 'cc'.repeat(16), sizeBytes: 10, filename: 'f.bin', kind: 'mcuboot' as const, imageVersion: '1.2.3+4', imageHash: 'dd'.repeat(32), signed: true, createdMs: 5 };
    assert.equal(await store.putArtifact(a), true);
    assert.equal(await store.putArtifact({ ...a, filename: 'other.bin' }), false);
    assert.deepEqual(await store.getArtifact('DEFAULT', a.sha256), a);
    assert.equal(await store.getArtifact('OTHER', a.sha256), null);
    assert.equal((await store.listArtifacts('DEFAULT')).length, 1);
  });

  withStore('releases get increasing ids and are unique by name+version', async (store) => {
    const r1 = await store.createRelease({ tenant: 'DEFAULT', name: 'fw', version: '1.0.0', part: 'bApp', artifacts: [{ sha256: 'aa', filename: 'f.bin' }], createdMs: 1 });
    const r2 = await store.createRelease({ tenant: 'DEFAULT', name: 'fw', version: '2.0.0', part: 'bApp', artifacts: [], createdMs: 2 });
    assert.ok(r2.id > r1.id);
    assert.deepEqual(await store.getRelease(r1.id), r1);
    assert.deepEqual(await store.findRelease('DEFAULT', 'fw', '2.0.0'), r2);
    await assert.rejects(store.createRelease({ tenant: 'DEFAULT', name: 'fw', version: '1.0.0', part: 'bApp', artifacts: [], createdMs: 3 }));
    assert.deepEqual((await store.listReleases('DEFAULT')).map((r) => r.version), ['1.0.0', '2.0.0']);
  });

  withStore('nextId counts from its start and is atomic under concurrency', async (store) => {
    assert.equal(await store.nextId('action', 1000), 1000);
    const ids = await Promise.all(Array.from({ length: 20 }, () => store.nextId('action', 1000)));
    assert.equal(new Set(ids).size, 20);
    assert.deepEqual([...ids].sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => 1001 + i));
  });

  withStore('createAction claims the device once; updateAction is compare-and-set', async (store) => {
    await store.createDevice(device('d1'));
    assert.equal(await store.createAction(action(11, 'd1')), true);
    assert.equal(await store.createAction(action(12, 'd1')), false, 'a device has one active action');
    assert.equal(await store.getAction(12), null);
    assert.equal((await store.getDevice('DEFAULT', 'd1'))?.activeActionId, 11);
    const done = await store.updateAction(
      11,
      { status: 'verifying', lastExecution: 'closed', lastFinished: 'success', updatedMs: 3000 },
      { expect: ['running'], device: { activeActionId: null, configRequested: true }, status: { actionId: 11, atMs: 3000, source: 'device', execution: 'closed', finished: 'success', code: null, details: ['ok'] } },
    );
    assert.equal(done?.status, 'verifying');
    assert.equal((await store.getDevice('DEFAULT', 'd1'))?.activeActionId, null);
    assert.equal(await store.updateAction(11, { status: 'failed' }, { expect: ['running'] }), null, 'CAS fails once status moved on');
    assert.equal((await store.getAction(11))?.status, 'verifying');
    assert.deepEqual(await store.listActionStatus(11, 10), [{ actionId: 11, atMs: 3000, source: 'device', execution: 'closed', finished: 'success', code: null, details: ['ok'] }]);
  });

  withStore('listActions filters by device, rollout, status and deadline', async (store) => {
    await store.createDevice(device('d1'));
    await store.createDevice(device('d2'));
    await store.createAction(action(21, 'd1', { rolloutId: 5, deadlineMs: 100 }));
    await store.createAction(action(22, 'd2', { rolloutId: 5, deadlineMs: 200, status: 'canceling' }));
    assert.deepEqual((await store.listActions({ controllerId: 'd1' })).map((a) => a.id), [21]);
    assert.deepEqual((await store.listActions({ rolloutId: 5, statuses: ['canceling'] })).map((a) => a.id), [22]);
    assert.deepEqual((await store.listActions({ statuses: ['running', 'canceling'], deadlineAtOrBeforeMs: 150 })).map((a) => a.id), [21]);
    assert.deepEqual(await store.listActions({ statuses: [] }), []);
  });

  withStore('recordDownload accumulates bytes and keeps the highest offset', async (store) => {
    await store.createDevice(device('d1'));
    await store.createAction(action(31, 'd1'));
    await store.recordDownload(31, 100, 100, true);
    await store.recordDownload(31, 50, 80, false);
    const a = await store.getAction(31);
    assert.equal(a?.bytesServed, 150);
    assert.equal(a?.highestOffset, 100);
    assert.equal(a?.downloads, 1);
  });

  withStore('action status is listed newest first and counted', async (store) => {
    for (let i = 0; i < 3; i++) await store.addActionStatus({ actionId: 7, atMs: i, source: 'device', execution: 'proceeding', finished: 'none', code: i, details: [`m${i}`] });
    assert.deepEqual((await store.listActionStatus(7, 2)).map((s) => s.code), [2, 1]);
    assert.equal(await store.countActionStatus(7), 3);
  });

  withStore('rollouts: members by stage, CAS on state and stage', async (store) => {
    const r = {
      id: 1,
      tenant: 'DEFAULT',
      name: 'r',
      releaseId: 2,
      filter: { tags: ['eu'] },
      stages: [{ count: 1 }, { percent: 100 }],
      successThreshold: 1,
      maxFailureRatio: 0.2,
      deviceTimeoutMs: 60_000,
      maintenance: { startMinuteUtc: 60, durationMinutes: 120 },
      actionType: 'forced' as const,
      requireVersionReport: true,
      state: 'running' as const,
      currentStage: 0,
      reason: null,
      createdMs: 1,
      updatedMs: 1,
    };
    await store.createRollout(r, [
      { rolloutId: 1, controllerId: 'a', stage: 0 },
      { rolloutId: 1, controllerId: 'b', stage: 1 },
      { rolloutId: 1, controllerId: 'c', stage: 1 },
    ]);
    assert.deepEqual(await store.getRollout(1), r);
    assert.deepEqual((await store.listRolloutMembers(1, 1)).map((m) => m.controllerId), ['b', 'c']);
    assert.equal((await store.listRolloutMembers(1)).length, 3);
    assert.deepEqual((await store.countRollout(1)).members.sort((a, b) => a.stage - b.stage), [{ stage: 0, count: 1 }, { stage: 1, count: 2 }]);
    assert.equal(await store.updateRollout(1, { currentStage: 1, updatedMs: 2 }, { state: 'running', currentStage: 0 }), true);
    assert.equal(await store.updateRollout(1, { currentStage: 1, updatedMs: 3 }, { state: 'running', currentStage: 0 }), false, 'second advance loses');
    assert.equal(await store.updateRollout(1, { state: 'paused', reason: 'failure ratio' }), true);
    assert.equal((await store.getRollout(1))?.state, 'paused');
    assert.equal((await store.listRollouts('DEFAULT')).length, 1);
  });

  withStore('audit is listed newest first, optionally by subject', async (store) => {
    await store.appendAudit({ atMs: 1, tenant: 'DEFAULT', actor: 'admin', event: 'device.created', subject: 'device:a', details: { x: 1 } });
    await store.appendAudit({ atMs: 2, tenant: 'DEFAULT', actor: 'admin', event: 'device.created', subject: 'device:b', details: {} });
    assert.deepEqual((await store.listAudit('DEFAULT')).map((e) => e.subject), ['device:b', 'device:a']);
    const only = await store.listAudit('DEFAULT', { subject: 'device:a' });
    assert.equal(only.length, 1);
    assert.deepEqual(only[0]?.details, { x: 1 });
  });

  withStore('samples are de-duplicated on (device, timestamp)', async (store) => {
    const s = (t: number, temp: number) => ({ tenant: 'DEFAULT', controllerId: 'd1', timestampMs: t, temp, receivedMs: 99 });
    assert.deepEqual(await store.insertSamples([s(1, 20000), s(2, 21000)]), { inserted: 2, duplicates: 0 });
    assert.deepEqual(await store.insertSamples([s(2, 21000), s(3, 22000)]), { inserted: 1, duplicates: 1 });
    assert.deepEqual((await store.listSamples('DEFAULT', 'd1')).map((r) => r.temp), [20000, 21000, 22000]);
    assert.deepEqual((await store.listSamples('DEFAULT', 'd1', { fromMs: 2, toMs: 2 })).map((r) => r.timestampMs), [2]);
  });

  withStore('pending rollout memberships: started stages of running rollouts where the device has no action', async (store) => {
    const base = { tenant: 'DEFAULT', releaseId: 1, filter: {}, stages: [{ count: 1 }, { count: 2 }], successThreshold: 1, maxFailureRatio: 1, deviceTimeoutMs: 1, maintenance: null, actionType: 'forced' as const, requireVersionReport: true, reason: null, createdMs: 1, updatedMs: 1 };
    await store.createRollout({ ...base, id: 1, name: 'a', state: 'running', currentStage: 0 }, [{ rolloutId: 1, controllerId: 'x', stage: 0 }, { rolloutId: 1, controllerId: 'y', stage: 1 }]);
    await store.createRollout({ ...base, id: 2, name: 'b', state: 'paused', currentStage: 0 }, [{ rolloutId: 2, controllerId: 'x', stage: 0 }]);
    assert.deepEqual(await store.listPendingRolloutMemberships('DEFAULT', 'x'), [{ rolloutId: 1, controllerId: 'x', stage: 0 }]);
    assert.deepEqual(await store.listPendingRolloutMemberships('DEFAULT', 'y'), [], 'stage 1 has not started');
    await store.createDevice(device('x'));
    await store.createAction(action(5, 'x', { rolloutId: 1, stage: 0 }));
    assert.deepEqual(await store.listPendingRolloutMemberships('DEFAULT', 'x'), [], 'assigned now');
    assert.deepEqual(await store.listPendingRolloutMemberships('OTHER', 'x'), []);
  });

  withStore('api keys are found by hash only', async (store) => {
    await store.createApiKey({ id: 'k1', name: 'ops', hash: 'ff'.repeat(32), createdMs: 1 });
    assert.equal((await store.findApiKeyByHash('ff'.repeat(32)))?.name, 'ops');
    assert.equal(await store.findApiKeyByHash('ee'.repeat(32)), null);
    assert.equal(await store.countApiKeys(), 1);
  });

  withStore('device twin: events de-duplicated on (device, seq), listed oldest first after a seq; slots keep the newest picture', async (store) => {
    const e = (seq: number, controllerId = 'd1') => ({ tenant: 'DEFAULT', controllerId, seq, atMs: 1000 + seq, kind: 'ota', title: `step ${seq}`, details: { n: seq }, receivedMs: 5 });
    assert.deepEqual(await store.insertDeviceEvents([e(1), e(2), e(3)]), { inserted: 3, duplicates: 0 });
    assert.deepEqual(await store.insertDeviceEvents([e(3), e(4), e(1, 'd2')]), { inserted: 2, duplicates: 1 });
    assert.deepEqual((await store.listDeviceEvents('DEFAULT', 'd1')).map((x) => x.seq), [1, 2, 3, 4]);
    assert.deepEqual((await store.listDeviceEvents('DEFAULT', 'd1', { afterSeq: 2 })).map((x) => x.seq), [3, 4]);
    assert.deepEqual((await store.listDeviceEvents('DEFAULT', 'd1', { limit: 2 })).map((x) => x.seq), [3, 4], 'limit keeps the newest');
    assert.deepEqual((await store.listDeviceEvents('DEFAULT', 'd1'))[0]?.details, { n: 1 });
    assert.deepEqual((await store.listDeviceEvents('DEFAULT', 'd2')).map((x) => x.title), ['step 1']);

    assert.equal(await store.getDeviceSlots('DEFAULT', 'd1'), null);
    await store.putDeviceSlots({ tenant: 'DEFAULT', controllerId: 'd1', atMs: 20, slots: { v: 'b' }, receivedMs: 1 });
    await store.putDeviceSlots({ tenant: 'DEFAULT', controllerId: 'd1', atMs: 10, slots: { v: 'a' }, receivedMs: 2 });
    assert.deepEqual((await store.getDeviceSlots('DEFAULT', 'd1'))?.slots, { v: 'b' }, 'an older picture arriving late is ignored');
    await store.putDeviceSlots({ tenant: 'DEFAULT', controllerId: 'd1', atMs: 30, slots: { v: 'c' }, receivedMs: 3 });
    assert.equal((await store.getDeviceSlots('DEFAULT', 'd1'))?.atMs, 30);
  });
}
