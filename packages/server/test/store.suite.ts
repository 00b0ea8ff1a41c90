/**
 * @module test/store.suite
 * The conformance suite every Store backend must pass (STYLE.md §4.11). Each test gets a fresh,
 * migrated store from `open` and closes it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ActionRecord, ActionStatus, DeviceRecord, Store } from '../src/store/store.js';

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

type RolloutCounts = Awaited<ReturnType<Store['countRollout']>>['actions'];

const STATUSES: readonly ActionStatus[] = ['running', 'canceling', 'verifying', 'succeeded', 'failed', 'rolled_back', 'timed_out', 'canceled'];

/** A rollout's actions per (stage, status) counted from the rows: what the counters must equal. */
export async function recountRollout(store: Store, rolloutId: number): Promise<RolloutCounts> {
  const counts = new Map<string, RolloutCounts[number]>();
  for (const a of await store.listActions({ rolloutId })) {
    if (a.stage === null) continue;
    const key = `${a.stage}/${a.status}`;
    const c = counts.get(key) ?? { stage: a.stage, status: a.status, count: 0 };
    c.count++;
    counts.set(key, c);
  }
  return sortCounts([...counts.values()]);
}

export function sortCounts(c: RolloutCounts): RolloutCounts {
  return [...c].sort((a, b) => a.stage - b.stage || (a.status < b.status ? -1 : a.status > b.status ? 1 : 0));
}

/** Options of a backend's suite run. */
export interface StoreSuiteOptions {
  /**
   * A second handle on the database `open` returned last, as another server process would
   * have; absent where one process cannot hold two writers (SQLite in one event loop).
   */
  second?: () => Promise<Store>;
}

export function runStoreSuite(name: string, open: () => Promise<Store>, options: StoreSuiteOptions = {}): void {
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

  withStore('samples are de-duplicated on (device, boot, timestamp)', async (store) => {
    const s = (t: number, temp: number, bootId = 1) => ({ tenant: 'DEFAULT', controllerId: 'd1', bootId, timestampMs: t, temp, receivedMs: 99 });
    assert.deepEqual(await store.insertSamples([s(1, 20000), s(2, 21000)]), { inserted: 2, duplicates: 0 });
    assert.deepEqual(await store.insertSamples([s(2, 21000), s(3, 22000)]), { inserted: 1, duplicates: 1 });
    assert.deepEqual((await store.listSamples('DEFAULT', 'd1')).map((r) => r.temp), [20000, 21000, 22000]);
    assert.deepEqual((await store.listSamples('DEFAULT', 'd1', { fromMs: 2, toMs: 2 })).map((r) => r.timestampMs), [2]);
  });

  withStore('samples of a later boot with the same uptime stamps are kept, listed by boot then timestamp', async (store) => {
    const s = (bootId: number, t: number, temp: number) => ({ tenant: 'DEFAULT', controllerId: 'd1', bootId, timestampMs: t, temp, receivedMs: 99 });
    assert.deepEqual(await store.insertSamples([s(2, 60_000, 21000), s(1, 60_000, 20000), s(1, 120_000, 20500)]), { inserted: 3, duplicates: 0 });
    assert.deepEqual(await store.insertSamples([s(2, 60_000, 21000), s(2, 120_000, 21500)]), { inserted: 1, duplicates: 1 });
    const rows = await store.listSamples('DEFAULT', 'd1');
    assert.deepEqual(rows.map((r) => [r.bootId, r.timestampMs, r.temp]), [[1, 60_000, 20000], [1, 120_000, 20500], [2, 60_000, 21000], [2, 120_000, 21500]]);
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

  withStore('rollout counters: members per stage at creation, actions counted per (stage, status) through creation, moves and CAS misses', async (store) => {
    const base = { tenant: 'DEFAULT', releaseId: 1, filter: {}, stages: [{ count: 1 }, { percent: 100 }], successThreshold: 1, maxFailureRatio: 1, deviceTimeoutMs: 1, maintenance: null, actionType: 'forced' as const, requireVersionReport: true, reason: null, createdMs: 1, updatedMs: 1, state: 'running' as const, currentStage: 0 };
    await store.createRollout({ ...base, id: 1, name: 'a' }, [{ rolloutId: 1, controllerId: 'a', stage: 0 }, { rolloutId: 1, controllerId: 'b', stage: 1 }, { rolloutId: 1, controllerId: 'c', stage: 1 }]);
    await store.createRollout({ ...base, id: 2, name: 'b' }, [{ rolloutId: 2, controllerId: 'a', stage: 0 }]);
    assert.deepEqual(await store.countRollout(1), { members: [{ stage: 0, count: 1 }, { stage: 1, count: 2 }], actions: [] });
    for (const id of ['a', 'b', 'c', 'd']) await store.createDevice(device(id));
    await store.createAction(action(1, 'a', { rolloutId: 1, stage: 0 }));
    await store.createAction(action(2, 'b', { rolloutId: 1, stage: 1 }));
    assert.equal(await store.createAction(action(3, 'b', { rolloutId: 1, stage: 1 })), false, 'a refused claim counts nothing');
    await store.createAction(action(4, 'c'));
    await store.updateAction(1, { status: 'verifying' }, { expect: ['running'] });
    assert.equal(await store.updateAction(1, { status: 'failed' }, { expect: ['running'] }), null);
    await store.updateAction(2, { lastExecution: 'proceeding' });
    await store.updateAction(4, { rolloutId: 1, stage: 1, status: 'canceled' }, { device: { activeActionId: null } });
    assert.deepEqual((await store.countRollout(1)).actions, [
      { stage: 0, status: 'verifying', count: 1 },
      { stage: 1, status: 'canceled', count: 1 },
      { stage: 1, status: 'running', count: 1 },
    ]);
    await store.updateAction(4, { rolloutId: 2, stage: 0 });
    await store.updateAction(1, { status: 'succeeded' }, { expect: ['verifying'] });
    assert.deepEqual((await store.countRollout(1)).actions, [
      { stage: 0, status: 'succeeded', count: 1 },
      { stage: 1, status: 'running', count: 1 },
    ]);
    assert.deepEqual((await store.countRollout(2)).actions, [{ stage: 0, status: 'canceled', count: 1 }]);
    assert.deepEqual(await store.countRollout(1).then((c) => c.actions), await recountRollout(store, 1));
  });

  withStore('rollout counters equal a recount of the rows after any sequence of action writes (property)', async (store) => {
    let nextAction = 1000;
    let run = 0;
    const op = fc.oneof(
      fc.record({ kind: fc.constant('create' as const), rollout: fc.constantFrom(0, 1, null), stage: fc.integer({ min: 0, max: 2 }), status: fc.constantFrom(...STATUSES) }),
      fc.record({ kind: fc.constant('status' as const), pick: fc.nat(), to: fc.constantFrom(...STATUSES), expect: fc.option(fc.subarray([...STATUSES], { minLength: 1 }), { nil: undefined }) }),
      fc.record({ kind: fc.constant('move' as const), pick: fc.nat(), rollout: fc.constantFrom(0, 1, null), stage: fc.integer({ min: 0, max: 2 }) }),
      fc.record({ kind: fc.constant('touch' as const), pick: fc.nat() }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 14 }), async (ops) => {
        const r = run++;
        const rollouts = [10 + 2 * r, 11 + 2 * r];
        const ids: number[] = [];
        for (const [i, o] of ops.entries()) {
          if (o.kind === 'create') {
            const controllerId = `p${r}-${i}`;
            await store.createDevice(device(controllerId));
            const id = nextAction++;
            const rolloutId = o.rollout === null ? null : rollouts[o.rollout]!;
            assert.equal(await store.createAction(action(id, controllerId, { rolloutId, stage: rolloutId === null ? null : o.stage, status: o.status })), true);
            ids.push(id);
          } else if (ids.length > 0) {
            const id = ids[o.pick % ids.length]!;
            if (o.kind === 'status') await store.updateAction(id, { status: o.to, updatedMs: 3 }, o.expect === undefined ? undefined : { expect: o.expect });
            else if (o.kind === 'move') await store.updateAction(id, o.rollout === null ? { rolloutId: null, stage: null } : { rolloutId: rollouts[o.rollout]!, stage: o.stage });
            else await store.updateAction(id, { lastExecution: 'proceeding', downloads: 1 });
          }
        }
        for (const rolloutId of rollouts) assert.deepEqual((await store.countRollout(rolloutId)).actions, await recountRollout(store, rolloutId), `rollout ${rolloutId} after ${JSON.stringify(ops)}`);
      }),
      { numRuns: 25, seed: 6 },
    );
  });

  const second = options.second;
  test(`${name}: rollout counters stay exact when two processes race on the same actions`, second === undefined ? { skip: 'one process cannot hold two SQLite writers (a transaction spans awaits)' } : {}, async () => {
    if (second === undefined) return;
    const a = await open();
    const b = await second();
    try {
      const n = 24;
      await a.createRollout(
        { id: 1, tenant: 'DEFAULT', name: 'race', releaseId: 1, filter: {}, stages: [{ percent: 100 }], successThreshold: 1, maxFailureRatio: 1, deviceTimeoutMs: 1, maintenance: null, actionType: 'forced', requireVersionReport: true, state: 'running', currentStage: 0, reason: null, createdMs: 1, updatedMs: 1 },
        Array.from({ length: n }, (_, i) => ({ rolloutId: 1, controllerId: `d${i}`, stage: 0 })),
      );
      for (let i = 0; i < n; i++) {
        await a.createDevice(device(`d${i}`));
        await (i % 2 === 0 ? a : b).createAction(action(100 + i, `d${i}`, { rolloutId: 1, stage: 0 }));
      }
      // Both processes try every transition; exactly one wins each compare-and-set.
      const race = (id: number, to: ActionStatus, expect: ActionStatus[]) => Promise.all([a, b].map((s) => s.updateAction(id, { status: to, updatedMs: 5 }, { expect })));
      const wins = await Promise.all(
        Array.from({ length: n }, async (_, i) => {
          const id = 100 + i;
          if (i % 3 === 0) {
            const w1 = await race(id, 'verifying', ['running']);
            const w2 = await race(id, i % 2 === 0 ? 'succeeded' : 'rolled_back', ['verifying']);
            return [w1, w2].map((w) => w.filter((x) => x !== null).length);
          }
          if (i % 3 === 1) {
            const w1 = await race(id, 'canceling', ['running']);
            const w2 = await Promise.all([a.updateAction(id, { status: 'canceled' }, { expect: ['canceling'] }), b.updateAction(id, { status: 'running' }, { expect: ['canceling'] })]);
            return [w1.filter((x) => x !== null).length, w2.filter((x) => x !== null).length];
          }
          return [(await race(id, 'timed_out', ['running', 'verifying'])).filter((x) => x !== null).length];
        }),
      );
      assert.ok(wins.flat().every((w) => w === 1), 'each transition has exactly one winner');
      const counted = await b.countRollout(1);
      assert.deepEqual(counted.actions, await recountRollout(a, 1));
      assert.equal(counted.actions.reduce((s, c) => s + c.count, 0), n);
      assert.deepEqual(counted.members, [{ stage: 0, count: n }]);
    } finally {
      await b.close();
      await a.close();
    }
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
    assert.equal(await store.trimDeviceEvents('DEFAULT', 'd1', 3), 2, 'retention drops seq < 3 of that device only');
    assert.deepEqual((await store.listDeviceEvents('DEFAULT', 'd1')).map((x) => x.seq), [3, 4]);
    assert.deepEqual((await store.listDeviceEvents('DEFAULT', 'd2')).map((x) => x.seq), [1]);

    assert.equal(await store.getDeviceSlots('DEFAULT', 'd1'), null);
    await store.putDeviceSlots({ tenant: 'DEFAULT', controllerId: 'd1', atMs: 20, slots: { v: 'b' }, receivedMs: 1 });
    await store.putDeviceSlots({ tenant: 'DEFAULT', controllerId: 'd1', atMs: 10, slots: { v: 'a' }, receivedMs: 2 });
    assert.deepEqual((await store.getDeviceSlots('DEFAULT', 'd1'))?.slots, { v: 'b' }, 'an older picture arriving late is ignored');
    await store.putDeviceSlots({ tenant: 'DEFAULT', controllerId: 'd1', atMs: 30, slots: { v: 'c' }, receivedMs: 3 });
    assert.equal((await store.getDeviceSlots('DEFAULT', 'd1'))?.atMs, 30);
  });
}
