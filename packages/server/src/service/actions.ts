/**
 * @module service/actions
 * The life of one action (one release assigned to one device): creation, the device's DDI
 * feedback (A.8), cancellation (A.10), and the decision that matters for rollouts — did the
 * device really end up on the new version? A `closed/success` only moves the action to
 * `verifying`; the device's reported running version (configData attribute or installedBase
 * PUT) decides `succeeded` or `rolled_back`, and silence past the deadline is `timed_out`
 * (hawkbit-ddi.md B.1.7 quirk 9). Every transition is audited; decisions fire `onDecided`.
 */
import type { DdiFeedback } from '@slotwise/core/protocol/ddi';
import { isZephyrUnsafeActionId } from '@slotwise/core/protocol/ddi';
import type { ActionPatch, ActionRecord, ActionStatus, ActionType, DevicePatch, DeviceRecord, MaintenanceWindow, ReleaseRecord } from '../store/store.js';
import { ACTIVE_ACTION_STATUSES, OPEN_ACTION_STATUSES } from '../store/store.js';
import { ApiError } from '../http/errors.js';
import { audit } from './audit.js';
import type { ServiceContext } from './context.js';
import { sameVersion } from './versions.js';

export const DECIDED_STATUSES: readonly ActionStatus[] = ['succeeded', 'failed', 'rolled_back', 'timed_out', 'canceled'];
export const FAILED_STATUSES: readonly ActionStatus[] = ['failed', 'rolled_back', 'timed_out'];

/** hawkBit's quotas (A.15): status entries per action, messages per status. */
export const MAX_STATUS_ENTRIES = 1000;
export const MAX_DETAILS = 50;

export interface CreateActionInput {
  tenant: string;
  device: DeviceRecord;
  release: ReleaseRecord;
  type: ActionType;
  rolloutId: number | null;
  stage: number | null;
  maintenance: MaintenanceWindow | null;
  timeoutMs: number | null;
  requireVersionReport: boolean;
}

export interface ActionService {
  create(input: CreateActionInput, actor: string): Promise<ActionRecord | null>;
  get(tenant: string, id: number): Promise<ActionRecord>;
  /** First GET of deploymentBase: records RETRIEVED once. */
  retrieved(action: ActionRecord): Promise<void>;
  feedback(device: DeviceRecord, actionId: number, body: DdiFeedback): Promise<ActionRecord>;
  cancel(tenant: string, actionId: number, actor: string): Promise<ActionRecord>;
  cancelFeedback(device: DeviceRecord, actionId: number, body: DdiFeedback): Promise<ActionRecord>;
  /** The device reported its running version; decides its verifying (and running) actions. */
  versionReported(device: DeviceRecord, version: string): Promise<void>;
  /** Times out open actions past their deadline. Returns how many. */
  sweep(): Promise<number>;
  onDecided(listener: (action: ActionRecord) => Promise<void>): void;
}

export function isOpenAction(a: ActionRecord): boolean {
  return OPEN_ACTION_STATUSES.includes(a.status);
}

export function createActionService(ctx: ServiceContext, opts: { actionIdStart: number; releases: (id: number) => Promise<ReleaseRecord | null> }): ActionService {
  const listeners: ((a: ActionRecord) => Promise<void>)[] = [];

  async function allocateId(): Promise<number> {
    for (;;) {
      const id = await ctx.store.nextId('action', opts.actionIdStart);
      if (!isZephyrUnsafeActionId(id)) return id;
    }
  }

  async function transition(
    action: ActionRecord,
    to: ActionStatus,
    expect: readonly ActionStatus[],
    extra: { patch?: ActionPatch; device?: DevicePatch; execution: string; finished: string | null; details: string[]; code?: number | null; source: 'device' | 'server'; actor: string; reason?: string },
  ): Promise<ActionRecord | null> {
    const now = ctx.clock.nowMs();
    const updated = await ctx.store.updateAction(
      action.id,
      { ...extra.patch, status: to, updatedMs: now, ...(extra.reason === undefined ? {} : { reason: extra.reason }) },
      {
        expect,
        ...(extra.device === undefined ? {} : { device: extra.device }),
        status: { actionId: action.id, atMs: now, source: extra.source, execution: extra.execution, finished: extra.finished, code: extra.code ?? null, details: extra.details },
      },
    );
    if (updated === null) return null;
    if (updated.status !== action.status) {
      await audit(ctx, action.tenant, extra.actor, `action.${to}`, `device:${action.controllerId}`, { actionId: action.id, from: action.status, to, reason: extra.reason ?? null });
      ctx.log.info({ actionId: action.id, device: action.controllerId, from: action.status, to, reason: extra.reason }, `action ${action.id} ${action.status} -> ${to}`);
    }
    if (DECIDED_STATUSES.includes(to)) for (const l of listeners) await l(updated);
    return updated;
  }

  async function ownAction(device: DeviceRecord, actionId: number): Promise<ActionRecord> {
    const action = await ctx.store.getAction(actionId);
    if (action === null || action.tenant !== device.tenant || action.controllerId !== device.controllerId) {
      throw new ApiError('SW_ERR_ACTION_NOT_FOUND', `Action ${actionId} does not exist for device '${device.controllerId}'.`);
    }
    return action;
  }

  async function checkQuota(action: ActionRecord, body: DdiFeedback): Promise<void> {
    if ((body.status.details?.length ?? 0) > MAX_DETAILS) throw new ApiError('SW_ERR_ACTION_QUOTA', `At most ${MAX_DETAILS} details per status message.`);
    if ((await ctx.store.countActionStatus(action.id)) >= MAX_STATUS_ENTRIES) throw new ApiError('SW_ERR_ACTION_QUOTA', `Action ${action.id} already has ${MAX_STATUS_ENTRIES} status entries.`);
  }

  /** Marks an action installed: the device now runs (or should run) the release. */
  async function succeed(action: ActionRecord, device: DeviceRecord | null, reason: string, actor: string, execution: string, expect: readonly ActionStatus[]): Promise<ActionRecord | null> {
    const release = await opts.releases(action.releaseId);
    // After an install the server wants fresh attributes (A.5) — unless they just arrived.
    const devicePatch: DevicePatch = { installedActionId: action.id, configRequested: execution !== 'version-report' };
    if (device?.activeActionId === action.id) devicePatch.activeActionId = null;
    if (release !== null && device !== null && !sameVersion(device.runningVersion, release.version)) {
      devicePatch.previousVersion = device.runningVersion;
      devicePatch.runningVersion = release.version;
    }
    return transition(action, 'succeeded', expect, { device: devicePatch, execution, finished: 'success', details: [reason], source: 'server', actor, reason });
  }

  const service: ActionService = {
    async create(input, actor) {
      const now = ctx.clock.nowMs();
      const id = await allocateId();
      const action: ActionRecord = {
        id,
        tenant: input.tenant,
        controllerId: input.device.controllerId,
        releaseId: input.release.id,
        rolloutId: input.rolloutId,
        stage: input.stage,
        status: 'running',
        type: input.type,
        maintenance: input.maintenance,
        fromVersion: input.device.runningVersion,
        deadlineMs: input.timeoutMs === null ? null : now + input.timeoutMs,
        requireVersionReport: input.requireVersionReport,
        createdMs: now,
        updatedMs: now,
        retrievedMs: null,
        bytesServed: 0,
        highestOffset: 0,
        downloads: 0,
        lastExecution: null,
        lastFinished: null,
        reason: null,
      };
      if (!(await ctx.store.createAction(action))) return null;
      await ctx.store.addActionStatus({ actionId: id, atMs: now, source: 'server', execution: 'assigned', finished: null, code: null, details: [`Assigned ${input.release.name} ${input.release.version}`] });
      await audit(ctx, input.tenant, actor, 'action.created', `device:${action.controllerId}`, { actionId: id, releaseId: input.release.id, rolloutId: input.rolloutId, stage: input.stage, type: input.type });
      ctx.log.info({ actionId: id, device: action.controllerId, release: `${input.release.name}@${input.release.version}`, rolloutId: input.rolloutId }, `assigned action ${id}`);
      return action;
    },

    async get(tenant, id) {
      const a = await ctx.store.getAction(id);
      if (a === null || a.tenant !== tenant) throw new ApiError('SW_ERR_ACTION_NOT_FOUND', `Action ${id} does not exist.`);
      return a;
    },

    async retrieved(action) {
      if (action.retrievedMs !== null) return;
      const now = ctx.clock.nowMs();
      const updated = await ctx.store.updateAction(action.id, { retrievedMs: now }, { expect: ['running'] });
      if (updated !== null) {
        await ctx.store.addActionStatus({ actionId: action.id, atMs: now, source: 'server', execution: 'retrieved', finished: null, code: null, details: ['Target retrieved update action and should start now the download.'] });
      }
    },

    async feedback(device, actionId, body) {
      const action = await ownAction(device, actionId);
      if (!ACTIVE_ACTION_STATUSES.includes(action.status)) throw new ApiError('SW_ERR_ACTION_GONE', `Action ${actionId} is ${action.status}; no more feedback is accepted.`);
      await checkQuota(action, body);
      const { execution } = body.status;
      const finished = body.status.result.finished;
      const details = body.status.details ?? [];
      const code = body.status.code ?? null;
      const base = { execution, finished, details, code, source: 'device' as const, actor: `device:${device.controllerId}` };
      const patch: ActionPatch = { lastExecution: execution, lastFinished: finished };
      const release = () => ({ activeActionId: null }) satisfies DevicePatch;
      let result: ActionRecord | null;
      if (execution === 'closed' && finished === 'failure') {
        // A device whose bootloader reverted the test image says so (Zephyr twin: "rolled back to 1.1.0"): that is a rollback, not a failed install.
        const revertedTo = details.map((d) => /\b(?:rolled back|reverted) to (\S+)/i.exec(d)?.[1]).find((v) => v !== undefined);
        const outcome = revertedTo === undefined ? 'failed' : 'rolled_back';
        result = await transition(action, outcome, ACTIVE_ACTION_STATUSES, { ...base, patch, device: release(), reason: revertedTo === undefined ? 'device reported closed/failure' : `device reported closed/failure: rolled back to ${revertedTo}` });
      } else if (execution === 'closed' || (execution === 'downloaded' && action.type === 'download_only')) {
        if (action.type === 'download_only') {
          result = await transition(action, 'succeeded', ACTIVE_ACTION_STATUSES, { ...base, patch, device: { ...release(), configRequested: true }, reason: 'download-only action downloaded' });
        } else if (!action.requireVersionReport) {
          const updated = await ctx.store.updateAction(action.id, patch, { expect: ACTIVE_ACTION_STATUSES });
          result = updated === null ? null : await succeed(updated, device, 'device reported closed/success (version report not required)', base.actor, execution, ACTIVE_ACTION_STATUSES);
        } else {
          // Optimistic feedback is not proof: Zephyr reports success from the old image after an
          // MCUboot revert. Ask for attributes and wait for the running version.
          result = await transition(action, 'verifying', ACTIVE_ACTION_STATUSES, { ...base, patch, device: { ...release(), configRequested: true }, reason: 'device reported closed/success; waiting for its running version' });
        }
      } else if (execution === 'canceled') {
        result = await transition(action, 'canceled', ACTIVE_ACTION_STATUSES, { ...base, patch, device: release(), reason: 'device confirmed cancellation' });
      } else {
        result = await ctx.store.updateAction(action.id, { ...patch, updatedMs: ctx.clock.nowMs() }, {
          expect: ACTIVE_ACTION_STATUSES,
          status: { actionId: action.id, atMs: ctx.clock.nowMs(), source: 'device', execution, finished, code, details },
        });
      }
      if (result === null) throw new ApiError('SW_ERR_ACTION_GONE', `Action ${actionId} was closed concurrently.`);
      return result;
    },

    async cancel(tenant, actionId, actor) {
      const action = await service.get(tenant, actionId);
      if (action.status === 'canceling') return action;
      if (action.status !== 'running') throw new ApiError('SW_ERR_ACTION_GONE', `Action ${actionId} is ${action.status} and cannot be canceled.`);
      const updated = await transition(action, 'canceling', ['running'], { execution: 'cancel', finished: null, details: ['Cancellation requested by operator'], source: 'server', actor });
      if (updated === null) throw new ApiError('SW_ERR_ACTION_GONE', `Action ${actionId} changed state concurrently.`);
      return updated;
    },

    async cancelFeedback(device, actionId, body) {
      const action = await ownAction(device, actionId);
      if (DECIDED_STATUSES.includes(action.status) || action.status === 'verifying') throw new ApiError('SW_ERR_ACTION_GONE', `Action ${actionId} is ${action.status}.`);
      if (action.status !== 'canceling') throw new ApiError('SW_ERR_ACTION_NOT_CANCELABLE', `Action ${actionId} is not being canceled.`);
      await checkQuota(action, body);
      const { execution } = body.status;
      const finished = body.status.result.finished;
      const base = { execution, finished, details: body.status.details ?? [], code: body.status.code ?? null, source: 'device' as const, actor: `device:${device.controllerId}` };
      let result: ActionRecord | null;
      if (execution === 'closed' && finished !== 'failure') {
        result = await transition(action, 'canceled', ['canceling'], { ...base, device: { activeActionId: null }, reason: 'device accepted cancellation' });
      } else if (execution === 'closed' || execution === 'rejected') {
        result = await transition(action, 'running', ['canceling'], { ...base, reason: 'device refused cancellation' });
      } else {
        result = await ctx.store.updateAction(action.id, { updatedMs: ctx.clock.nowMs() }, { expect: ['canceling'], status: { actionId: action.id, atMs: ctx.clock.nowMs(), ...base } });
      }
      if (result === null) throw new ApiError('SW_ERR_ACTION_GONE', `Action ${actionId} changed state concurrently.`);
      return result;
    },

    async versionReported(device, version) {
      const open = await ctx.store.listActions({ tenant: device.tenant, controllerId: device.controllerId, statuses: ['running', 'verifying'] });
      for (const action of open) {
        const release = await opts.releases(action.releaseId);
        if (release === null) continue;
        const actor = `device:${device.controllerId}`;
        if (sameVersion(version, release.version)) {
          await succeed(action, { ...device, runningVersion: version }, `device runs ${version}`, actor, 'version-report', [action.status]);
        } else if (action.status === 'verifying') {
          await transition(action, 'rolled_back', ['verifying'], {
            execution: 'version-report',
            finished: 'failure',
            details: [`reported closed/success but runs ${version}, not ${release.version}`],
            source: 'server',
            actor,
            reason: `rolled back: runs ${version}, expected ${release.version}`,
          });
        }
      }
    },

    async sweep() {
      const now = ctx.clock.nowMs();
      const due = await ctx.store.listActions({ statuses: OPEN_ACTION_STATUSES, deadlineAtOrBeforeMs: now, limit: 10_000 });
      let n = 0;
      for (const action of due) {
        const device = await ctx.store.getDevice(action.tenant, action.controllerId);
        const devicePatch: DevicePatch = device?.activeActionId === action.id ? { activeActionId: null } : {};
        const reason = action.status === 'verifying' ? 'no running-version report before the deadline' : 'device did not finish before the deadline';
        if ((await transition(action, 'timed_out', [action.status], { device: devicePatch, execution: 'timeout', finished: 'failure', details: [reason], source: 'server', actor: 'server', reason })) !== null) n++;
      }
      return n;
    },

    onDecided(listener) {
      listeners.push(listener);
    },
  };
  return service;
}
