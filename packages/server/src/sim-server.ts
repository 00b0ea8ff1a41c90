/**
 * @module sim-server
 * A complete update server for in-process simulations: SQLite in memory, artifact bytes in
 * memory, the caller's clock, randomness seeded from `seed` (tokens, jitter), an admin key, and
 * a device Transport over `inject()`. Deterministic: the same seed and the same request
 * sequence at the same virtual times give the same responses. The caller drives time: call
 * `sweep()` after advancing the clock so deadlines are enforced, `flushLastSeen()` if it reads
 * last-seen from the store.
 */
import type { FastifyInstance } from 'fastify';
import { createRandom, type Clock } from '@slotwise/core';
import type { Transport } from '@slotwise/core/protocol/transport';
import { buildApp, type AppConfig } from './app.js';
import { createMemoryBlobStore } from './blob/blob-store.js';
import type { ImageInspector } from './service/artifacts.js';
import { createIdGenerator } from './service/context.js';
import { createImageInspector } from './service/image-inspector.js';
import type { Services } from './service/services.js';
import { openSqliteStore } from './store/sqlite/sqlite-store.js';
import { createInjectTransport } from './transport/inject-transport.js';

export interface SimulationServer {
  app: FastifyInstance;
  services: Services;
  /** Device-side transport (DDI and /api/v1/samples) into this server. */
  transport: Transport;
  /** `Authorization: Bearer <adminKey>` for /api/v1 management calls. */
  adminKey: string;
  sweep(): Promise<number>;
  flushLastSeen(): Promise<number>;
  close(): Promise<void>;
}

export async function createSimulationServer(options: { clock: Clock; seed: number; config?: AppConfig; inspectImage?: ImageInspector }): Promise<SimulationServer> {
  const store = openSqliteStore(':memory:');
  await store.migrate();
  const random = createRandom(options.seed);
  const app = await buildApp({
    store,
    blobs: createMemoryBlobStore(),
    clock: options.clock,
    random: random.fork('server'),
    ids: createIdGenerator(random.fork('ids')),
    inspectImage: options.inspectImage ?? createImageInspector(),
    logger: false,
    config: { publicUrl: 'http://slotwise.sim:8080', ...options.config },
  });
  const { key } = await app.slotwise.services.apiKeys.create('simulation', 'simulation');
  return {
    app,
    services: app.slotwise.services,
    transport: createInjectTransport(app),
    adminKey: key,
    sweep: () => app.slotwise.sweep(),
    flushLastSeen: () => app.slotwise.flushLastSeen(),
    async close() {
      await app.close();
      await store.close();
    },
  };
}
