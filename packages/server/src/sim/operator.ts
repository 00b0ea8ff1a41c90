/**
 * @module sim/operator
 * The operator of a fleet scenario: upload, rollout, pause/resume/abort through the management
 * API (`/api/v1`), over any Transport carrying an admin key — the in-process app
 * (fleet-server.ts) or a real server over HTTP (`createRemoteFleetServer`, for demos).
 */
import type { FleetImage, FleetServerPort, OperatorStep, RolloutStatus } from '@slotwise/core/fleet/index';
import type { HttpRequest, Transport } from '@slotwise/core/protocol/transport';
import { createFetchTransport } from '../transport/fetch-transport.js';

export interface AdminResult {
  readonly status: number;
  readonly text: string;
  json(): unknown;
}

export type AdminCall = (method: HttpRequest['method'], url: string, body?: unknown, raw?: Uint8Array) => Promise<AdminResult>;

/** Management API calls over `transport` (which adds the admin credentials). */
export function adminClient(transport: Transport): AdminCall {
  const text = new TextDecoder();
  return async (method, url, body, raw) => {
    const res = await transport.request({
      method,
      url,
      headers: raw !== undefined ? { 'content-type': 'application/octet-stream' } : body === undefined ? {} : { 'content-type': 'application/json' },
      ...(raw !== undefined ? { body: raw } : body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const t = text.decode(res.body);
    return { status: res.status, text: t, json: () => JSON.parse(t) as unknown };
  };
}

export interface Operator {
  operate(step: OperatorStep, images: ReadonlyMap<string, FleetImage>): Promise<string>;
  rollouts(): Promise<RolloutStatus[]>;
}

const failed = (what: string, r: AdminResult): string => `${what} failed: HTTP ${r.status} ${r.text.slice(0, 160)}`;

/** Carries out operator steps; `server.restart` is the caller's (it owns the process). */
export function createOperator(admin: AdminCall): Operator {
  const releaseIds = new Map<string, number>();
  const rolloutIds = new Map<string, number>();
  return {
    async operate(step, images) {
      switch (step.op) {
        case 'upload': {
          const image = images.get(step.release)!;
          const up = await admin('POST', `/api/v1/artifacts?filename=${encodeURIComponent(`${step.release}.signed.bin`)}`, undefined, image.bytes);
          if (up.status !== 201 && up.status !== 200) return failed(`upload ${step.release}`, up);
          const sha256 = (up.json() as { sha256: string }).sha256;
          const rel = await admin('POST', '/api/v1/releases', { name: 'fleet-fw', version: image.version, artifacts: [{ sha256 }] });
          if (rel.status !== 201) return failed(`release ${step.release}`, rel);
          const id = (rel.json() as { id: number }).id;
          releaseIds.set(step.release, id);
          return `upload ${step.release} (${image.version}, ${image.bytes.length} bytes) → release ${id}`;
        }
        case 'rollout': {
          const releaseId = releaseIds.get(step.release);
          if (releaseId === undefined) return `rollout ${step.name} failed: release ${step.release} was not uploaded`;
          const r = await admin('POST', '/api/v1/rollouts', {
            name: step.name,
            releaseId,
            filter: {},
            stages: step.stages,
            ...(step.successThreshold === undefined ? {} : { successThreshold: step.successThreshold }),
            ...(step.maxFailureRatio === undefined ? {} : { maxFailureRatio: step.maxFailureRatio }),
            ...(step.deviceTimeoutMs === undefined ? {} : { deviceTimeoutMs: step.deviceTimeoutMs }),
          });
          if (r.status !== 201) return failed(`rollout ${step.name}`, r);
          const id = (r.json() as { id: number }).id;
          rolloutIds.set(step.name, id);
          return `rollout ${step.name} → id ${id}`;
        }
        case 'pause':
        case 'resume':
        case 'abort': {
          const id = rolloutIds.get(step.rollout);
          if (id === undefined) return `${step.op} ${step.rollout} failed: no such rollout`;
          const r = await admin('POST', `/api/v1/rollouts/${id}/${step.op}`);
          return r.status === 200 ? `${step.op} ${step.rollout}: ${(r.json() as { state: string }).state}` : failed(`${step.op} ${step.rollout}`, r);
        }
        case 'server.restart':
          return 'server.restart is not an API call';
      }
    },
    async rollouts() {
      const out: RolloutStatus[] = [];
      for (const [name, id] of rolloutIds) {
        const r = await admin('GET', `/api/v1/rollouts/${id}`);
        if (r.status !== 200) continue;
        const s = r.json() as { rollout: { state: string; currentStage: number; reason: string | null }; stages: RolloutStatus['stages'] };
        out.push({ name, state: s.rollout.state, currentStage: s.rollout.currentStage, reason: s.rollout.reason, stages: s.stages.map((x) => ({ members: x.members, succeeded: x.succeeded, failed: x.failed, rolledBack: x.rolledBack, open: x.open })) });
      }
      return out;
    },
  };
}

/**
 * A running server over HTTP as the fleet's server (for `slotwise demo`): devices use fetch,
 * the operator the management API with `adminKey`. Housekeeping is the server's own; a restart
 * is not something a client can do, so it is refused.
 */
export function createRemoteFleetServer(baseUrl: string, adminKey: string): FleetServerPort {
  const transport = createFetchTransport(baseUrl);
  const operator = createOperator(adminClient({ request: (r) => transport.request({ ...r, headers: { ...r.headers, authorization: `Bearer ${adminKey}` } }) }));
  return {
    transport,
    operate: (step, images) => (step.op === 'server.restart' ? Promise.resolve('server.restart skipped: a remote server restarts itself') : operator.operate(step, images)),
    housekeeping: async () => undefined,
    rollouts: () => operator.rollouts(),
    restart: async () => undefined,
  };
}
