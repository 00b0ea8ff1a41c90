/**
 * @module app
 * `buildApp(deps)`: the whole HTTP server from injected parts (store, blob store, clock,
 * randomness, ids, image inspector, logger). It never reads the environment and never listens;
 * `main.ts` does config → deps → buildApp → listen, tests and simulations call `inject()`.
 * Timers (last-seen flush, deadline sweep) belong to the caller; `app.slotwise` exposes them.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Clock, Random } from '@slotwise/core';
import type { BlobStore } from './blob/blob-store.js';
import type { Store } from './store/store.js';
import type { IdGenerator } from './service/context.js';
import type { ImageInspector } from './service/artifacts.js';
import { createServices, type Services } from './service/services.js';
import { installErrorHandling } from './http/error-handler.js';
import { installMetrics, type ServerMetrics } from './http/metrics.js';
import { ddiRoutes } from './http/routes/ddi.js';
import { deviceRoutes } from './http/routes/devices.js';
import { artifactRoutes } from './http/routes/artifacts.js';
import { releaseRoutes } from './http/routes/releases.js';
import { rolloutRoutes } from './http/routes/rollouts.js';
import { telemetryRoutes } from './http/routes/telemetry.js';
import { adminRoutes } from './http/routes/admin.js';
import { opsRoutes } from './http/routes/ops.js';
import { DEFAULT_RATE_LIMIT, type RateLimitConfig } from './http/rate-limit.js';
import { twinRoutes } from './http/routes/twin.js';
import { rolloutActionRoutes } from './http/routes/rollout-actions.js';
import { dashboardStaticRoutes } from './http/routes/dashboard-static.js';

export interface AppConfig {
  /** Base URL devices should use in links (`https://ota.example.net`); default from Host. */
  publicUrl?: string | null;
  /** Accept unauthenticated DDI requests. Loudly logged; never the default. */
  insecureLab?: boolean;
  trustedProxies?: readonly string[];
  maxUploadBytes?: number;
  /** First action id (Part C SHOULD 5: start high so a device moved from another server cannot collide). */
  actionIdStart?: number;
  /** Collect Node process metrics (off in tests). */
  processMetrics?: boolean;
  /** DDI request budgets per client address (hawkBit's DoS filter); null turns them off. */
  rateLimit?: RateLimitConfig | null;
  /** Idle keep-alive for device connections; Zephyr keeps one socket per probe (≥ 30 s). */
  keepAliveTimeoutMs?: number;
  /** Serve the built dashboard (index.html + assets/) from this directory under `/`. */
  dashboardDir?: string | null;
}

export interface AppDeps {
  store: Store;
  blobs: BlobStore;
  clock: Clock;
  random: Random;
  ids: IdGenerator;
  inspectImage: ImageInspector;
  /** A pino logger, `false` for silence, or pino options. */
  logger?: FastifyBaseLogger | boolean | Record<string, unknown>;
  config?: AppConfig;
}

export interface SlotwiseHandle {
  services: Services;
  metrics: ServerMetrics;
  /** Writes batched last-seen times (main.ts calls it every 10 s and on close). */
  flushLastSeen(): Promise<number>;
  /** Times out open actions past their deadline (main.ts calls it periodically; simulations at virtual times). */
  sweep(): Promise<number>;
  /** Every route registered (method, url): the auth-matrix test checks it covers them all. */
  routes: readonly { method: string; url: string }[];
}

declare module 'fastify' {
  interface FastifyInstance {
    slotwise: SlotwiseHandle;
  }
}

export const DEFAULT_MAX_UPLOAD_BYTES = 64 * 1024 * 1024;

function isLogger(x: unknown): x is FastifyBaseLogger {
  return typeof x === 'object' && x !== null && typeof (x as { child?: unknown }).child === 'function' && typeof (x as { info?: unknown }).info === 'function';
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const config = deps.config ?? {};
  const logger = deps.logger ?? false;
  const app = Fastify({
    ...(isLogger(logger) ? { loggerInstance: logger } : { logger }),
    keepAliveTimeout: config.keepAliveTimeoutMs ?? 65_000,
    bodyLimit: 1024 * 1024,
    // Device paths carry their own ids; keep them case- and slash-exact.
    routerOptions: { ignoreTrailingSlash: false, caseSensitive: true, maxParamLength: 512 },
    trustProxy: false,
  });
  const services = createServices(
    { store: deps.store, clock: deps.clock, random: deps.random, ids: deps.ids, log: app.log },
    { blobs: deps.blobs, inspectImage: deps.inspectImage, actionIdStart: config.actionIdStart ?? 1_100_000 },
  );
  if (config.insecureLab === true) app.log.warn('INSECURE LAB MODE IS ON: DDI requests without credentials are accepted and register any controllerId. Never use this outside a lab.');

  const routes: { method: string; url: string }[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) routes.push({ method, url: route.url });
  });
  installErrorHandling(app);
  const metrics = installMetrics(app, { processMetrics: config.processMetrics ?? false });
  await app.register(swagger, {
    openapi: {
      info: { title: 'Slotwise update server', version: '1.0.0', description: 'hawkBit DDI device API, management API /api/v1, telemetry.' },
      components: { securitySchemes: { admin: { type: 'http', scheme: 'bearer' }, device: { type: 'apiKey', in: 'header', name: 'Authorization' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const management = { services, maxUploadBytes: config.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES };
  await app.register(ddiRoutes, {
    services,
    auth: { insecureLab: config.insecureLab === true, trustedProxies: config.trustedProxies ?? [] },
    publicUrl: config.publicUrl ?? null,
    rateLimit: config.rateLimit === undefined ? DEFAULT_RATE_LIMIT : config.rateLimit,
    onDownload: (bytes) => metrics.downloadBytes.inc(bytes),
  });
  await app.register(deviceRoutes, management);
  await app.register(artifactRoutes, management);
  await app.register(releaseRoutes, management);
  await app.register(rolloutRoutes, management);
  await app.register(telemetryRoutes, management);
  await app.register(adminRoutes, management);
  await app.register(twinRoutes, management);
  await app.register(rolloutActionRoutes, management);
  if (config.dashboardDir != null) await app.register(dashboardStaticRoutes, { dir: config.dashboardDir });
  await app.register(opsRoutes, { services, metrics });

  services.actions.onDecided(async (action) => {
    metrics.decided.inc({ status: action.status });
  });
  app.decorate('slotwise', {
    services,
    metrics,
    flushLastSeen: () => services.lastSeen.flush(),
    sweep: () => services.actions.sweep(),
    routes,
  });
  app.addHook('onClose', async () => {
    await services.lastSeen.flush();
  });
  return app;
}
