/**
 * @module service/rollouts
 * Staged rollouts: a cohort (device filter) split into cumulative stages (by count or percent),
 * a success threshold that gates the next stage, auto-pause when the failure ratio is exceeded,
 * pause/resume/abort, per-device deadlines and a maintenance window. Evaluation runs on change
 * events (an action decided, an operator command), never by scanning the fleet; it is
 * idempotent, and stage advances are compare-and-set, so several server processes (or a
 * restart after a crash) converge on the same state. Success means "reported running the new
 * version" (service/actions.ts), so rollbacks count as failures.
 */
import { OPEN_ACTION_STATUSES, type ActionType, type DeviceFilter, type MaintenanceWindow, type ReleaseRecord, type RolloutRecord, type RolloutStage } from '../store/store.js';
import { ApiError } from '../http/errors.js';
import type { ActionService } from './actions.js';
import { audit } from './audit.js';
import type { ServiceContext } from './context.js';
import type { ReleaseService } from './releases.js';
import { sameVersion } from './versions.js';

export interface CreateRolloutInput {
  name: string;
  releaseId: number;
  filter: DeviceFilter;
  stages: RolloutStage[];
  successThreshold?: number;
  maxFailureRatio?: number;
  deviceTimeoutMs?: number;
  maintenance?: MaintenanceWindow | null;
  actionType?: ActionType;
  requireVersionReport?: boolean;
}

export interface StageSummary {
  stage: number;
  members: number;
  assigned: number;
  open: number;
  succeeded: number;
  failed: number;
  rolledBack: number;
  timedOut: number;
  canceled: number;
}

export interface RolloutSummary {
  rollout: RolloutRecord;
  stages: StageSummary[];
}

export interface RolloutService {
  create(tenant: string, input: CreateRolloutInput, actor: string): Promise<RolloutRecord>;
  get(tenant: string, id: number): Promise<RolloutRecord>;
  list(tenant: string): Promise<RolloutRecord[]>;
  summary(tenant: string, id: number): Promise<RolloutSummary>;
  /** Re-examines a rollout: assigns missing members of the current stage, pauses, advances or finishes. */
  evaluate(id: number): Promise<void>;
  /** Evaluates every running rollout (start-up after a crash). */
  evaluateAll(tenant: string): Promise<void>;
  pause(tenant: string, id: number, actor: string): Promise<RolloutRecord>;
  resume(tenant: string, id: number, actor: string): Promise<RolloutRecord>;
  abort(tenant: string, id: number, actor: string): Promise<RolloutRecord>;
}

/** Cumulative number of cohort members covered after each stage. */
export function stageBoundaries(stages: readonly RolloutStage[], cohort: number): number[] {
  let prev = 0;
  return stages.map((s, i) => {
    const target = 'count' in s ? s.count : Math.ceil((s.percent / 100) * cohort);
    const bounded = i === stages.length - 1 ? cohort : Math.min(cohort, Math.max(prev, target));
    prev = Math.max(prev, bounded);
    return prev;
  });
}

/** True when `nowMs` lies in the daily UTC window. */
export function windowOpen(w: MaintenanceWindow, nowMs: number): boolean {
  const minute = Math.floor(nowMs / 60_000) % 1440;
  return (minute - w.startMinuteUtc + 1440) % 1440 < w.durationMinutes;
}

/** Milliseconds until the window next opens (0 when open). */
export function msUntilWindow(w: MaintenanceWindow, nowMs: number): number {
  if (windowOpen(w, nowMs)) return 0;
  const dayMs = 86_400_000;
  const startOfDay = nowMs - (nowMs % dayMs);
  let next = startOfDay + w.startMinuteUtc * 60_000;
  if (next <= nowMs) next += dayMs;
  return next - nowMs;
}

export function createRolloutService(ctx: ServiceContext, actions: ActionService, releases: ReleaseService): RolloutService {
  async function assignStage(r: RolloutRecord, stage: number): Promise<void> {
    const members = await ctx.store.listRolloutMembers(r.id, stage);
    const existing = new Set((await ctx.store.listActions({ rolloutId: r.id })).map((a) => a.controllerId));
    const release = await releases.get(r.tenant, r.releaseId);
    for (const m of members) {
      if (existing.has(m.controllerId)) continue;
      await assignMember(r, m.controllerId, stage, release);
    }
  }

  /** Creates the rollout's action for one member, unless it already runs the release or is busy. */
  async function assignMember(r: RolloutRecord, controllerId: string, stage: number, known?: ReleaseRecord): Promise<void> {
    const release = known ?? (await releases.get(r.tenant, r.releaseId));
    const device = await ctx.store.getDevice(r.tenant, controllerId);
    if (device === null || sameVersion(device.runningVersion, release.version)) return;
    const created = await actions.create(
      { tenant: r.tenant, device, release, type: r.actionType, rolloutId: r.id, stage, maintenance: r.maintenance, timeoutMs: r.deviceTimeoutMs, requireVersionReport: r.requireVersionReport },
      `rollout:${r.id}`,
    );
    if (created === null) ctx.log.warn({ rolloutId: r.id, device: controllerId }, 'device busy with another action; it is assigned when that action ends');
  }

  // From the store's counters: the rollout is re-evaluated at every decided action, so reading
  // (or grouping) every member and action row here would make a rollout quadratic in its size.
  async function summarize(r: RolloutRecord): Promise<StageSummary[]> {
    const counts = await ctx.store.countRollout(r.id);
    return r.stages.map((_, stage) => {
      const mine = counts.actions.filter((a) => a.stage === stage);
      const count = (s: string): number => mine.filter((a) => a.status === s).reduce((n, a) => n + a.count, 0);
      return {
        stage,
        members: counts.members.find((m) => m.stage === stage)?.count ?? 0,
        assigned: mine.reduce((n, a) => n + a.count, 0),
        open: mine.filter((a) => OPEN_ACTION_STATUSES.includes(a.status)).reduce((n, a) => n + a.count, 0),
        succeeded: count('succeeded'),
        failed: count('failed'),
        rolledBack: count('rolled_back'),
        timedOut: count('timed_out'),
        canceled: count('canceled'),
      };
    });
  }

  async function setState(r: RolloutRecord, state: RolloutRecord['state'], reason: string | null, actor: string): Promise<boolean> {
    const ok = await ctx.store.updateRollout(r.id, { state, reason, updatedMs: ctx.clock.nowMs() }, { state: r.state });
    if (ok) {
      await audit(ctx, r.tenant, actor, `rollout.${state}`, `rollout:${r.id}`, { from: r.state, reason, stage: r.currentStage });
      ctx.log.info({ rolloutId: r.id, from: r.state, to: state, reason }, `rollout ${r.id} ${state}${reason === null ? '' : `: ${reason}`}`);
    }
    return ok;
  }

  const service: RolloutService = {
    async create(tenant, input, actor) {
      const release = await releases.get(tenant, input.releaseId);
      if (input.stages.length === 0) throw new ApiError('SW_ERR_REQUEST_INVALID', 'A rollout needs at least one stage.');
      const cohort = (await ctx.store.listDevices(tenant, input.filter)).filter((d) => !sameVersion(d.runningVersion, release.version));
      if (cohort.length === 0) throw new ApiError('SW_ERR_ROLLOUT_EMPTY', `No device matches the filter and needs ${release.name} ${release.version}.`);
      const id = await ctx.store.nextId('rollout', 1);
      const now = ctx.clock.nowMs();
      const rollout: RolloutRecord = {
        id,
        tenant,
        name: input.name,
        releaseId: release.id,
        filter: input.filter,
        stages: input.stages,
        successThreshold: input.successThreshold ?? 1,
        maxFailureRatio: input.maxFailureRatio ?? 0.2,
        deviceTimeoutMs: input.deviceTimeoutMs ?? 24 * 3600_000,
        maintenance: input.maintenance ?? null,
        actionType: input.actionType ?? 'forced',
        requireVersionReport: input.requireVersionReport ?? true,
        state: 'running',
        currentStage: 0,
        reason: null,
        createdMs: now,
        updatedMs: now,
      };
      const bounds = stageBoundaries(input.stages, cohort.length);
      const members = cohort.map((d, i) => ({ rolloutId: id, controllerId: d.controllerId, stage: bounds.findIndex((b) => i < b) }));
      await ctx.store.createRollout(rollout, members);
      await audit(ctx, tenant, actor, 'rollout.created', `rollout:${id}`, { releaseId: release.id, cohort: cohort.length, stages: bounds });
      ctx.log.info({ rolloutId: id, cohort: cohort.length, stages: bounds }, `rollout ${id} created for ${release.name} ${release.version}`);
      await service.evaluate(id);
      return (await ctx.store.getRollout(id)) ?? rollout;
    },

    async get(tenant, id) {
      const r = await ctx.store.getRollout(id);
      if (r === null || r.tenant !== tenant) throw new ApiError('SW_ERR_ROLLOUT_NOT_FOUND', `Rollout ${id} does not exist.`);
      return r;
    },

    list: (tenant) => ctx.store.listRollouts(tenant),

    async summary(tenant, id) {
      const rollout = await service.get(tenant, id);
      return { rollout, stages: await summarize(rollout) };
    },

    async evaluate(id) {
      for (let guard = 0; guard < 1000; guard++) {
        const r = await ctx.store.getRollout(id);
        if (r === null || r.state !== 'running') return;
        let stages = await summarize(r);
        const before = stages[r.currentStage];
        if (before !== undefined && before.assigned < before.members) {
          await assignStage(r, r.currentStage);
          stages = await summarize(r);
        }
        const upTo = stages.slice(0, r.currentStage + 1);
        const assigned = upTo.reduce((n, s) => n + s.assigned, 0);
        const failed = upTo.reduce((n, s) => n + s.failed + s.rolledBack + s.timedOut, 0);
        if (assigned > 0 && failed / assigned > r.maxFailureRatio) {
          await setState(r, 'paused', `failure ratio ${failed}/${assigned} exceeds ${r.maxFailureRatio}`, 'server');
          return;
        }
        const cur = stages[r.currentStage];
        if (cur === undefined) return;
        const need = Math.ceil(r.successThreshold * cur.assigned);
        if (r.currentStage === r.stages.length - 1) {
          if (cur.open === 0) await setState(r, 'finished', null, 'server');
          return;
        }
        if (cur.succeeded < need) {
          if (cur.open === 0) await setState(r, 'paused', `stage ${r.currentStage}: ${cur.succeeded}/${cur.assigned} succeeded, below the success threshold ${r.successThreshold}`, 'server');
          return;
        }
        const advanced = await ctx.store.updateRollout(id, { currentStage: r.currentStage + 1, updatedMs: ctx.clock.nowMs() }, { state: 'running', currentStage: r.currentStage });
        if (!advanced) return;
        await audit(ctx, r.tenant, 'server', 'rollout.stage-started', `rollout:${id}`, { stage: r.currentStage + 1, previous: { succeeded: cur.succeeded, assigned: cur.assigned } });
        ctx.log.info({ rolloutId: id, stage: r.currentStage + 1 }, `rollout ${id}: stage ${r.currentStage} reached ${cur.succeeded}/${cur.assigned}, starting stage ${r.currentStage + 1}`);
      }
    },

    async evaluateAll(tenant) {
      for (const r of await ctx.store.listRollouts(tenant)) if (r.state === 'running') await service.evaluate(r.id);
    },

    async pause(tenant, id, actor) {
      const r = await service.get(tenant, id);
      if (r.state !== 'running' || !(await setState(r, 'paused', 'paused by operator', actor))) throw new ApiError('SW_ERR_ROLLOUT_STATE', `Rollout ${id} is ${r.state}; only a running rollout can be paused.`);
      return service.get(tenant, id);
    },

    async resume(tenant, id, actor) {
      const r = await service.get(tenant, id);
      if (r.state !== 'paused' || !(await setState(r, 'running', null, actor))) throw new ApiError('SW_ERR_ROLLOUT_STATE', `Rollout ${id} is ${r.state}; only a paused rollout can be resumed.`);
      await service.evaluate(id);
      return service.get(tenant, id);
    },

    async abort(tenant, id, actor) {
      const r = await service.get(tenant, id);
      if ((r.state !== 'running' && r.state !== 'paused') || !(await setState(r, 'aborted', 'aborted by operator', actor))) throw new ApiError('SW_ERR_ROLLOUT_STATE', `Rollout ${id} is ${r.state}.`);
      for (const a of await ctx.store.listActions({ rolloutId: id, statuses: ['running'] })) {
        try {
          await actions.cancel(tenant, a.id, actor);
        } catch (error) {
          ctx.log.warn({ actionId: a.id, error: String(error) }, 'could not cancel action of aborted rollout');
        }
      }
      return service.get(tenant, id);
    },
  };
  actions.onDecided(async (a) => {
    if (a.rolloutId !== null) await service.evaluate(a.rolloutId);
    // The device is free again: rollouts that skipped it while it was busy can assign it now.
    for (const m of await ctx.store.listPendingRolloutMemberships(a.tenant, a.controllerId)) {
      const r = await ctx.store.getRollout(m.rolloutId);
      if (r === null || r.state !== 'running') continue;
      await assignMember(r, m.controllerId, m.stage);
      await service.evaluate(r.id);
    }
  });
  return service;
}
