/**
 * Property: whatever a device and an operator do, in any order — feedback of every
 * execution/result, cancel and its answers, version reports, deadlines passing — the action
 * bookkeeping stays consistent: the device's active action is exactly its running/canceling
 * one, a decided action never changes again, and an installed action is one that succeeded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isSlotwiseError } from '@slotwise/core';
import type { DdiExecution, DdiFinished } from '@slotwise/core/protocol/ddi';
import { createHarness, seedRelease } from './harness.js';
import { DECIDED_STATUSES } from '../src/service/actions.js';
import type { ActionStatus } from '../src/store/store.js';

const executions: DdiExecution[] = ['closed', 'proceeding', 'canceled', 'scheduled', 'rejected', 'resumed', 'download', 'downloaded'];
const finishes: DdiFinished[] = ['success', 'failure', 'none'];

type Cmd =
  | { kind: 'assign'; type: 'forced' | 'soft' | 'download_only' }
  | { kind: 'feedback'; execution: DdiExecution; finished: DdiFinished }
  | { kind: 'cancel' }
  | { kind: 'cancelFeedback'; execution: DdiExecution; finished: DdiFinished }
  | { kind: 'version'; version: '1.0.0' | '2.0.0' }
  | { kind: 'time'; ms: number };

const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  fc.record({ kind: fc.constant('assign' as const), type: fc.constantFrom('forced' as const, 'soft' as const, 'download_only' as const) }),
  fc.record({ kind: fc.constant('feedback' as const), execution: fc.constantFrom(...executions), finished: fc.constantFrom(...finishes) }),
  fc.record({ kind: fc.constant('cancel' as const) }),
  fc.record({ kind: fc.constant('cancelFeedback' as const), execution: fc.constantFrom(...executions), finished: fc.constantFrom(...finishes) }),
  fc.record({ kind: fc.constant('version' as const), version: fc.constantFrom('1.0.0' as const, '2.0.0' as const) }),
  fc.record({ kind: fc.constant('time' as const), ms: fc.integer({ min: 0, max: 120_000 }) }),
);

test('action bookkeeping stays consistent under any sequence of device and operator events', async () => {
  const h = await createHarness();
  const { releaseId } = await seedRelease(h);
  const s = h.app.slotwise.services;
  let run = 0;
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(cmd, { minLength: 1, maxLength: 25 }), async (cmds) => {
        const id = `m${run++}`;
        await s.devices.register('DEFAULT', { controllerId: id, runningVersion: '1.0.0' }, 'test');
        const decided = new Map<number, ActionStatus>();
        let last: number | null = null;
        for (const c of cmds) {
          const device = await s.devices.get('DEFAULT', id);
          try {
            if (c.kind === 'assign') {
              const a = await s.actions.create({ tenant: 'DEFAULT', device, release: await s.releases.get('DEFAULT', releaseId), type: c.type, rolloutId: null, stage: null, maintenance: null, timeoutMs: 60_000, requireVersionReport: true }, 'test');
              if (a !== null) last = a.id;
              else assert.notEqual(device.activeActionId, null, 'assignment refused only while another action is active');
            } else if (c.kind === 'feedback' && last !== null) {
              await s.actions.feedback(device, last, { status: { execution: c.execution, result: { finished: c.finished } } });
            } else if (c.kind === 'cancel' && last !== null) {
              await s.actions.cancel('DEFAULT', last, 'test');
            } else if (c.kind === 'cancelFeedback' && last !== null) {
              await s.actions.cancelFeedback(device, last, { status: { execution: c.execution, result: { finished: c.finished } } });
            } else if (c.kind === 'version') {
              await s.devices.reportVersion(device, c.version, 'test');
            } else if (c.kind === 'time') {
              h.clock.advanceBy(c.ms);
              await h.app.slotwise.sweep();
            }
          } catch (error) {
            if (!isSlotwiseError(error)) throw error;
          }
          const after = await s.devices.get('DEFAULT', id);
          const actions = await h.store.listActions({ controllerId: id });
          const active = actions.filter((a) => a.status === 'running' || a.status === 'canceling');
          assert.ok(active.length <= 1, 'at most one active action');
          assert.equal(after.activeActionId, active[0]?.id ?? null, 'the poll offers exactly the active action');
          for (const a of actions) {
            const before = decided.get(a.id);
            if (before !== undefined) assert.equal(a.status, before, `decided action ${a.id} stays ${before}`);
            if (DECIDED_STATUSES.includes(a.status)) decided.set(a.id, a.status);
          }
          if (after.installedActionId !== null) assert.equal(actions.find((a) => a.id === after.installedActionId)?.status, 'succeeded');
        }
      }),
      { numRuns: 60 },
    );
  } finally {
    await h.close();
  }
});
