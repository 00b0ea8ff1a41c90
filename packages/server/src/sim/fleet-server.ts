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
import type { FleetServerPort } from '@slotwise/core/fleet/index';
import type { Transport } from '@slotwise/core/protocol/transport';
import { buildApp } from '../app.js';
import { createIdGenerator } from '../service/context.js';
import { createImageInspector } from '../service/image-inspector.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { createInjectTransport } from '../transport/inject-transport.js';
import { createMemoryBlobStore } from '../blob/blob-store.js';
import { adminClient, createOperator } from './operator.js';

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
  /** The management API key the operator uses (e.g. to drive this server over HTTP instead). */
  readonly adminKey: string;
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
  const adminTransport: Transport = { request: (r) => inject.request({ ...r, headers: { ...r.headers, authorization: `Bearer ${key}` } }) };
  const admin = adminClient(adminTransport);
  const tenant = await admin('PUT', '/api/v1/tenants/DEFAULT', { gatewayToken, pollSleepSec: o.pollSleepSec, pollJitterPct: o.pollJitterPct ?? 0 });
  if (tenant.status !== 200) throw new Error(`sim server: tenant setup failed: ${tenant.status} ${tenant.text}`);

  const transport: Transport = { request: (r) => inject.request(r) };
  const operator = createOperator(admin);
  const restart = async (): Promise<void> => {
    await app.close();
    app = await build();
    inject = createInjectTransport(app);
  };

  return {
    tenant: 'DEFAULT',
    gatewayToken,
    adminKey: key,
    transport,
    app: () => app,
    operate: operator.operate,
    async housekeeping() {
      await app.slotwise.flushLastSeen();
      await app.slotwise.sweep();
    },
    rollouts: operator.rollouts,
    restart,
    async close() {
      await app.close();
      await store.close();
    },
  };
}
