/**
 * Rollouts end to end through the DDI API: stages by count and percent, a success threshold
 * gating the next stage, rollbacks and silent devices counting as failures, auto-pause on the
 * failure ratio, operator pause/resume/abort, and the audit trail.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHarness, seedRelease, type Harness } from '../harness.js';
import { recountRollout } from '../store.suite.js';

interface Poll {
  _links?: Record<string, { href: string }>;
}
const path = (href: string): string => new URL(href).pathname + new URL(href).search;

async function fleet(h: Harness, n: number): Promise<{ releaseId: number; tokens: Map<string, string> }> {
  const { releaseId } = await seedRelease(h, { controllerId: 'd0' });
  const tokens = new Map<string, string>();
  tokens.set('d0', ((await h.admin('GET', '/api/v1/devices/d0')).statusCode === 200 ? await rotate(h, 'd0') : ''));
  for (let i = 1; i < n; i++) {
    const res = await h.admin('POST', '/api/v1/devices', { controllerId: `d${i}`, runningVersion: '1.0.0', tags: ['eu'] });
    tokens.set(`d${i}`, (res.json() as { token: string }).token);
  }
  await h.admin('PATCH', '/api/v1/devices/d0', { tags: ['eu'] });
  return { releaseId, tokens };
}

async function rotate(h: Harness, id: string): Promise<string> {
  return ((await h.admin('POST', `/api/v1/devices/${id}/token`)).json() as { token: string }).token;
}

function device(h: Harness, id: string, token: string) {
  const headers = { authorization: `TargetToken ${token}`, 'content-type': 'application/json' };
  const self = {
    poll: async (): Promise<Poll> => (await h.app.inject({ method: 'GET', url: `/DEFAULT/controller/v1/${id}`, headers: { authorization: headers.authorization } })).json() as Poll,
    async hasDeployment(): Promise<boolean> {
      return (await self.poll())._links?.deploymentBase !== undefined;
    },
    /** Polls, fetches the deployment, reports `finished`, then (optionally) its running version. */
    async update(finished: 'success' | 'failure', runs: string | null): Promise<number> {
      const href = (await self.poll())._links?.deploymentBase?.href;
      assert.ok(href !== undefined, `${id} has a deployment`);
      const db = (await h.app.inject({ method: 'GET', url: path(href), headers: { authorization: headers.authorization } })).json() as { id: string };
      const fb = await h.app.inject({ method: 'POST', url: `/DEFAULT/controller/v1/${id}/deploymentBase/${db.id}/feedback`, headers, payload: JSON.stringify({ status: { execution: 'closed', result: { finished } } }) });
      assert.equal(fb.statusCode, 200, fb.body);
      if (runs !== null) {
        const put = await h.app.inject({ method: 'PUT', url: `/DEFAULT/controller/v1/${id}/configData`, headers, payload: JSON.stringify({ data: { fw_version: runs } }) });
        assert.equal(put.statusCode, 200);
      }
      return Number(db.id);
    },
  };
  return self;
}

/** The rollout's counters (what the summary reads) agree with its action rows. */
async function assertCountersMatchRows(h: Harness, rolloutId: number): Promise<void> {
  assert.deepEqual((await h.store.countRollout(rolloutId)).actions, await recountRollout(h.store, rolloutId));
}

interface Summary {
  rollout: { state: string; currentStage: number; reason: string | null };
  stages: { stage: number; members: number; assigned: number; open: number; succeeded: number; failed: number; rolledBack: number; timedOut: number }[];
}

test('staged rollout: stages advance on verified success; rollbacks and timeouts count as failures', async () => {
  const h = await createHarness();
  try {
    const { releaseId, tokens } = await fleet(h, 6);
    const d = (i: number) => device(h, `d${i}`, tokens.get(`d${i}`) ?? '');
    const created = await h.admin('POST', '/api/v1/rollouts', { name: 'eu-2.0', releaseId, filter: { tags: ['eu'] }, stages: [{ count: 1 }, { percent: 50 }, { percent: 100 }], successThreshold: 0.5, maxFailureRatio: 0.5, deviceTimeoutMs: 3_600_000 });
    assert.equal(created.statusCode, 201, created.body);
    const id = (created.json() as { id: number }).id;
    const summary = async (): Promise<Summary> => (await h.admin('GET', `/api/v1/rollouts/${id}`)).json() as Summary;
    assert.deepEqual((await summary()).stages.map((s) => s.members), [1, 2, 3]);
    assert.deepEqual([await d(0).hasDeployment(), await d(1).hasDeployment()], [true, false], 'only stage 0 is assigned');

    await d(0).update('success', '2.0.0');
    assert.equal((await summary()).rollout.currentStage, 1);
    await d(2).update('success', '1.0.0'); // reported success, runs the old image: rolled back
    let s = await summary();
    assert.equal(s.stages[1]?.rolledBack, 1);
    assert.equal(s.rollout.currentStage, 1, 'a rolled-back device is not a success: stage 1 waits');
    await d(1).update('success', '2.0.0');
    s = await summary();
    assert.equal(s.rollout.currentStage, 2, '1 of 2 verified meets the 0.5 threshold');

    await d(3).update('success', '2.0.0');
    await d(5).update('success', null); // says success, never reports a version
    h.clock.advanceBy(3_600_001);
    assert.equal(await h.app.slotwise.sweep(), 2, 'd4 (silent) and d5 (unverified) time out');
    s = await summary();
    assert.equal(s.rollout.state, 'finished');
    assert.deepEqual(
      s.stages.map((x) => [x.succeeded, x.rolledBack, x.timedOut]),
      [[1, 0, 0], [1, 1, 0], [1, 0, 2]],
    );
    const metrics = (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
    assert.match(metrics, /slotwise_actions_decided_total\{status="succeeded"\} 3/);
    assert.match(metrics, /slotwise_actions_decided_total\{status="rolled_back"\} 1/);
    assert.match(metrics, /slotwise_actions_decided_total\{status="timed_out"\} 2/);
    const audit = (await h.admin('GET', '/api/v1/audit?limit=500')).json() as { event: string }[];
    for (const e of ['rollout.created', 'rollout.stage-started', 'action.created', 'action.verifying', 'action.succeeded', 'action.rolled_back', 'action.timed_out', 'rollout.finished']) {
      assert.ok(audit.some((x) => x.event === e), `audit has ${e}`);
    }
    await assertCountersMatchRows(h, id);
  } finally {
    await h.close();
  }
});

test('auto-pause on the failure ratio; resume re-checks; abort cancels running actions', async () => {
  const h = await createHarness();
  try {
    const { releaseId, tokens } = await fleet(h, 4);
    const d = (i: number) => device(h, `d${i}`, tokens.get(`d${i}`) ?? '');
    const id = ((await h.admin('POST', '/api/v1/rollouts', { name: 'r', releaseId, filter: { tags: ['eu'] }, stages: [{ percent: 100 }], maxFailureRatio: 0.25 })).json() as { id: number }).id;
    const state = async () => ((await h.admin('GET', `/api/v1/rollouts/${id}`)).json() as Summary).rollout;
    await d(0).update('failure', null);
    assert.equal((await state()).state, 'running', '1/4 is not above 0.25');
    await d(1).update('success', '1.0.0');
    const paused = await state();
    assert.equal(paused.state, 'paused');
    assert.match(paused.reason ?? '', /failure ratio 2\/4/);
    assert.equal((await h.admin('POST', `/api/v1/rollouts/${id}/pause`)).statusCode, 409);
    assert.equal((await h.admin('POST', `/api/v1/rollouts/${id}/resume`)).statusCode, 200);
    assert.equal((await state()).state, 'paused', 'resume re-evaluates and pauses again');
    const aborted = await h.admin('POST', `/api/v1/rollouts/${id}/abort`);
    assert.equal((aborted.json() as { state: string }).state, 'aborted');
    const poll = await d(2).poll();
    assert.ok(poll._links?.cancelAction !== undefined, 'running actions of an aborted rollout are being canceled');
    await assertCountersMatchRows(h, id);
  } finally {
    await h.close();
  }
});

test('an operator pause holds the next stage until resume', async () => {
  const h = await createHarness();
  try {
    const { releaseId, tokens } = await fleet(h, 2);
    const d = (i: number) => device(h, `d${i}`, tokens.get(`d${i}`) ?? '');
    const id = ((await h.admin('POST', '/api/v1/rollouts', { name: 'r', releaseId, filter: {}, stages: [{ count: 1 }, { count: 2 }] })).json() as { id: number }).id;
    assert.equal((await h.admin('POST', `/api/v1/rollouts/${id}/pause`)).statusCode, 200);
    await d(0).update('success', '2.0.0');
    assert.equal(await d(1).hasDeployment(), false);
    await h.admin('POST', `/api/v1/rollouts/${id}/resume`);
    assert.equal(await d(1).hasDeployment(), true);
    assert.equal((await h.admin('POST', '/api/v1/rollouts', { name: 'none', releaseId, filter: { tags: ['nobody'] }, stages: [{ percent: 100 }] })).statusCode, 422);
    await assertCountersMatchRows(h, id);
  } finally {
    await h.close();
  }
});

test('a device busy with another action when its stage starts is assigned as soon as it is free', async () => {
  const h = await createHarness();
  try {
    const { releaseId, tokens } = await fleet(h, 2);
    const other = (await h.admin('POST', '/api/v1/releases', { name: 'hotfix', version: '1.0.1', artifacts: [{ sha256: ((await h.admin('GET', '/api/v1/artifacts')).json() as { sha256: string }[])[0]?.sha256 }] })).json() as { id: number };
    const busy = (await h.admin('POST', '/api/v1/deployments', { controllerId: 'd1', releaseId: other.id })).json() as { id: number };
    const id = ((await h.admin('POST', '/api/v1/rollouts', { name: 'r', releaseId, filter: {}, stages: [{ percent: 100 }] })).json() as { id: number }).id;
    const d1 = device(h, 'd1', tokens.get('d1') ?? '');
    const summary = async () => ((await h.admin('GET', `/api/v1/rollouts/${id}`)).json() as Summary).stages[0];
    assert.deepEqual([(await summary())?.members, (await summary())?.assigned], [2, 1], 'd1 is busy');
    const fb = await h.app.inject({ method: 'POST', url: `/DEFAULT/controller/v1/d1/deploymentBase/${busy.id}/feedback`, headers: { authorization: `TargetToken ${tokens.get('d1') ?? ''}`, 'content-type': 'application/json' }, payload: '{"status":{"execution":"closed","result":{"finished":"failure"}}}' });
    assert.equal(fb.statusCode, 200);
    assert.equal((await summary())?.assigned, 2, 'assigned once its other action ended');
    assert.equal(await d1.hasDeployment(), true);
    await assertCountersMatchRows(h, id);
  } finally {
    await h.close();
  }
});
