/**
 * @module sim/fleet-server
 * The real server in-process for fleet simulations (issue 6): `buildApp` on SQLite (in memory
 * by default), the kernel's clock, seeded ids, a memory blob store and the inject transport,
 * behind core's `FleetServerPort`. The operator's steps go through the management API like a
 * person's would; a restart closes the app and builds a new one on the same store.
 * It lives in the server package because it is I/O (SQLite, Fastify); core stays pure, and the
 * CLI (`slotwise sim run`) and the dashboard's demo both import it from here.
 */
import type { FastifyInstance } from 'fastify';
import { createRandom, type Clock } from '@slotwise/core';
import type { FleetImage, FleetServerPort, OperatorStep, RolloutStatus } from '@slotwise/core/fleet/index';
import type { Transport } from '@slotwise/core/protocol/transport';
import { buildApp } from '../app.js';
import { createIdGenerator } from '../service/context.js';
import { createImageInspector } from '../service/image-inspector.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { createInjectTransport } from '../transport/inject-transport.js';
import { createMemoryBlobStore } from './memory-blob-store.js';

export interface SimServerOptions {
  readonly clock: Clock;
  readonly seed: number;
  readonly pollSleepSec: number;
  readonly pollJitterPct?: number;
  /** SQLite file; default an in-memory database. */
  readonly sqliteFile?: string;
  readonly gatewayToken?: string;
}

export interface SimServer extends FleetServerPort {
  readonly tenant: string;
  readonly gatewayToken: string;
  /** The current app (changes on restart). */
  app(): FastifyInstance;
  close(): Promise<void>;
}

export const SIM_GATEWAY_TOKEN = 'sim-gateway-token-0123456789abcdef';

export async function createSimServer(o: SimServerOptions): Promise<SimServer> {
  const store: Store = openSqliteStore(o.sqliteFile ?? ':memory:');
  await store.migrate();
  const random = createRandom(o.seed).fork('server');
  const ids = createIdGenerator(random.fork('ids'));
  const blobs = createMemoryBlobStore();
  const inspectImage = createImageInspector();
  const gatewayToken = o.gatewayToken ?? SIM_GATEWAY_TOKEN;
  const build = (): Promise<FastifyInstance> =>
    buildApp({ store, blobs, clock: o.clock, random, ids, inspectImage, logger: false, config: { publicUrl: 'http://ota.sim:8080' } });
  let app = await build();
  let inject = createInjectTransport(app);
  const { key } = await app.slotwise.services.apiKeys.create('fleet-sim', 'fleet-sim');
  const admin = async (method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown): Promise<{ status: number; json: () => unknown; text: string }> => {
    const res = await app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
    return { status: res.statusCode, json: () => res.json() as unknown, text: res.body };
  };
  const tenant = await admin('PUT', '/api/v1/tenants/DEFAULT', { gatewayToken, pollSleepSec: o.pollSleepSec, pollJitterPct: o.pollJitterPct ?? 0 });
  if (tenant.status !== 200) throw new Error(`sim server: tenant setup failed: ${tenant.status} ${tenant.text}`);

  const releaseIds = new Map<string, number>();
  const rolloutIds = new Map<string, number>();
  const transport: Transport = { request: (r) => inject.request(r) };
  const failed = (what: string, r: { status: number; text: string }): string => `${what} failed: HTTP ${r.status} ${r.text.slice(0, 160)}`;

  const restart = async (): Promise<void> => {
    await app.close();
    app = await build();
    inject = createInjectTransport(app);
  };

  return {
    tenant: 'DEFAULT',
    gatewayToken,
    transport,
    app: () => app,
    async operate(step: OperatorStep, images: ReadonlyMap<string, FleetImage>): Promise<string> {
      switch (step.op) {
        case 'upload': {
          const image = images.get(step.release)!;
          const up = await app.inject({
            method: 'POST',
            url: `/api/v1/artifacts?filename=${encodeURIComponent(`${step.release}.signed.bin`)}`,
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/octet-stream' },
            payload: Buffer.from(image.bytes.buffer, image.bytes.byteOffset, image.bytes.byteLength),
          });
          if (up.statusCode !== 201 && up.statusCode !== 200) return failed(`upload ${step.release}`, { status: up.statusCode, text: up.body });
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
          await restart();
          return 'server restarted';
      }
    },
    async housekeeping() {
      await app.slotwise.flushLastSeen();
      await app.slotwise.sweep();
    },
    async rollouts(): Promise<RolloutStatus[]> {
      const out: RolloutStatus[] = [];
      for (const [name, id] of rolloutIds) {
        const r = await admin('GET', `/api/v1/rollouts/${id}`);
        if (r.status !== 200) continue;
        const s = r.json() as { rollout: { state: string; currentStage: number; reason: string | null }; stages: RolloutStatus['stages'] };
        out.push({ name, state: s.rollout.state, currentStage: s.rollout.currentStage, reason: s.rollout.reason, stages: s.stages.map((x) => ({ members: x.members, succeeded: x.succeeded, failed: x.failed, rolledBack: x.rolledBack, open: x.open })) });
      }
      return out;
    },
    restart,
    async close() {
      await app.close();
      await store.close();
    },
  };
}
