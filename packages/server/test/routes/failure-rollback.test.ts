/**
 * A device whose bootloader reverted the test image reports `closed/failure` with "rolled back
 * to <version>" (the Zephyr twin's message): the action is `rolled_back`, not `failed`, so a
 * rollout counts it under rolled back; any other failure stays `failed`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHarness, seedRelease } from '../harness.js';

async function failWith(details: string[]): Promise<{ status: string; reason: string | null; rolledBack: number; failed: number }> {
  const h = await createHarness();
  try {
    const { token, releaseId } = await seedRelease(h, { controllerId: 'dev-1' });
    const r = await h.admin('POST', '/api/v1/rollouts', { name: 'r', releaseId, filter: { controllerIds: ['dev-1'] }, stages: [{ percent: 100 }] });
    const rolloutId = (r.json() as { id: number }).id;
    const headers = { authorization: `TargetToken ${token}` };
    const poll = (await h.app.inject({ method: 'GET', url: '/DEFAULT/controller/v1/dev-1', headers })).json() as { _links: { deploymentBase: { href: string } } };
    const actionId = new URL(poll._links.deploymentBase.href).pathname.split('/').pop() ?? '';
    const fb = await h.app.inject({
      method: 'POST',
      url: `/DEFAULT/controller/v1/dev-1/deploymentBase/${actionId}/feedback`,
      headers: { ...headers, 'content-type': 'application/json' },
      payload: JSON.stringify({ status: { execution: 'closed', result: { finished: 'failure' }, details } }),
    });
    assert.equal(fb.statusCode, 200, fb.body);
    const action = ((await h.admin('GET', `/api/v1/actions/${actionId}`)).json() as { action: { status: string; reason: string | null } }).action;
    const s = (await h.admin('GET', `/api/v1/rollouts/${rolloutId}`)).json() as { stages: { rolledBack: number; failed: number }[] };
    const listed = (await h.admin('GET', `/api/v1/rollouts/${rolloutId}/actions`)).json() as { id: number; controllerId: string; status: string }[];
    assert.deepEqual(listed.map((a) => [a.id, a.controllerId, a.status]), [[Number(actionId), 'dev-1', action.status]], 'the rollout lists its actions with their outcome');
    assert.equal((await h.admin('GET', '/api/v1/rollouts/999/actions')).statusCode, 404);
    return { status: action.status, reason: action.reason, rolledBack: s.stages[0]?.rolledBack ?? -1, failed: s.stages[0]?.failed ?? -1 };
  } finally {
    await h.close();
  }
}

test('closed/failure "rolled back to 1.0.0" is a rollback; other failures stay failed', async () => {
  assert.deepEqual(await failWith(['rolled back to 1.0.0']), { status: 'rolled_back', reason: 'device reported closed/failure: rolled back to 1.0.0', rolledBack: 1, failed: 0 });
  assert.deepEqual(await failWith(['hash mismatch']), { status: 'failed', reason: 'device reported closed/failure', rolledBack: 0, failed: 1 });
});
