/**
 * @module main
 * The production edge of the server: options (from the CLI, or the environment when run
 * directly) → real deps (SQLite file or PostgreSQL, artifact directory, wall clock, OS
 * randomness, pino) → buildApp → listen, plus the timers buildApp leaves to its caller
 * (last-seen flush, deadline sweep) and start-up recovery (re-evaluate running rollouts).
 * The only file of the server that reads `process.env` or calls `listen`.
 */
import { randomInt } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { systemClock, createSystemRandom } from '@slotwise/core/node/system';
import { buildApp } from './app.js';
import type { RateLimitConfig } from './http/rate-limit.js';
import { createFsBlobStore, type BlobStore } from './blob/blob-store.js';
import { openPostgresBlobStore } from './store/postgres/postgres-blob-store.js';
import { hashApiKey } from './service/api-keys.js';
import type { IdGenerator } from './service/context.js';
import { createImageInspector } from './service/image-inspector.js';
import { createThreadedCrypto } from '@slotwise/core/node/crypto-thread';
import { openPostgresStore } from './store/postgres/postgres-store.js';
import { openSqliteStore } from './store/sqlite/sqlite-store.js';
import type { Store } from './store/store.js';

export interface ServerOptions {
  /** Data directory: SQLite file, artifacts, bootstrap admin key. */
  dataDir: string;
  /** `sqlite:FILE`, `postgres://…`, or null for `sqlite:<dataDir>/slotwise.db`. */
  db: string | null;
  host: string;
  port: number;
  publicUrl: string | null;
  insecureLab: boolean;
  trustedProxies: string[];
  maxUploadBytes: number;
  logLevel: string;
  /** An admin key to install if the store has none (else one is generated into <data>/admin-key). */
  adminKey: string | null;
  /** DDI budgets per public client address; null: unlimited. */
  rateLimit?: RateLimitConfig | null;
}

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  /** Where the bootstrap admin key was written, when one was generated. */
  adminKeyFile: string | null;
  close(): Promise<void>;
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Secrets from the OS CSPRNG (simulations use the seeded createIdGenerator instead). */
export function createCryptoIdGenerator(): IdGenerator {
  const draw = (n: number): string => Array.from({ length: n }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join('');
  return { token: () => draw(32), apiKey: () => `sw_${draw(40)}` };
}

/**
 * The storage for `--db`: SQLite + artifact files in the data directory, or PostgreSQL holding
 * both records and artifact bytes (so server processes share nothing but the database).
 */
export function openStorage(db: string | null, dataDir: string): { store: Store; blobs: BlobStore; close(): Promise<void> } {
  if (db !== null && /^postgres(ql)?:\/\//.test(db)) {
    const store = openPostgresStore({ url: db });
    const blobs = openPostgresBlobStore({ url: db });
    return { store, blobs, close: async () => { await store.close(); await blobs.close(); } };
  }
  const file = db === null ? join(dataDir, 'slotwise.db') : db.replace(/^sqlite:/, '');
  const store = openSqliteStore(resolve(file));
  return { store, blobs: createFsBlobStore(join(dataDir, 'artifacts')), close: () => store.close() };
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const log = pino({ level: options.logLevel });
  const storage = openStorage(options.db, dataDir);
  const store = storage.store;
  await store.migrate();
  const random = createSystemRandom();
  // Uploaded images are verified with their signature checked on a second thread while this one hashes.
  const crypto = createThreadedCrypto();
  const app = await buildApp({
    store,
    blobs: storage.blobs,
    clock: systemClock,
    random,
    ids: createCryptoIdGenerator(),
    inspectImage: createImageInspector(crypto),
    logger: log,
    config: {
      publicUrl: options.publicUrl,
      insecureLab: options.insecureLab,
      trustedProxies: options.trustedProxies,
      maxUploadBytes: options.maxUploadBytes,
      // A per-installation offset (used once, when the counter is created): action ids from
      // another server a device remembers are unlikely to collide (Part C SHOULD 5).
      actionIdStart: 1_100_000 + randomInt(0, 8_000_000),
      processMetrics: true,
      ...(options.rateLimit === undefined ? {} : { rateLimit: options.rateLimit }),
    },
  });
  const services = app.slotwise.services;
  let adminKeyFile: string | null = null;
  if ((await services.apiKeys.count()) === 0) {
    if (options.adminKey !== null) {
      try {
        await store.createApiKey({ id: 'bootstrap', name: 'bootstrap', hash: hashApiKey(options.adminKey), createdMs: systemClock.nowMs() });
        log.info('installed the admin key given at start-up');
      } catch (error) {
        // Another server process on the same database installed it first.
        if ((await services.apiKeys.verify(options.adminKey)) === null) throw error;
      }
    } else {
      const { key } = await services.apiKeys.create('bootstrap', 'server');
      adminKeyFile = join(dataDir, 'admin-key');
      writeFileSync(adminKeyFile, `${key}\n`, { mode: 0o600 });
      chmodSync(adminKeyFile, 0o600);
      log.warn({ file: adminKeyFile }, 'no admin API key existed: generated one (shown only in this file)');
    }
  }
  await services.rollouts.evaluateAll('DEFAULT');

  const flush = setInterval(() => {
    app.slotwise.flushLastSeen().catch((error: unknown) => log.error({ err: error }, 'last-seen flush failed'));
  }, 10_000);
  const sweep = setInterval(() => {
    app.slotwise
      .sweep()
      .then((n) => {
        if (n > 0) log.info({ timedOut: n }, `${n} action(s) passed their deadline`);
      })
      .catch((error: unknown) => log.error({ err: error }, 'deadline sweep failed'));
  }, 30_000);
  flush.unref();
  sweep.unref();

  const address = await app.listen({ host: options.host, port: options.port });
  log.info({ url: address, storage: store.kind, dataDir }, `slotwise server listening on ${address}`);
  return {
    app,
    url: address,
    adminKeyFile,
    async close() {
      clearInterval(flush);
      clearInterval(sweep);
      await app.close();
      await storage.close();
      await crypto.close();
    },
  };
}

/** Options from the environment, for `node packages/server/dist/main.js`. */
export function optionsFromEnv(env: NodeJS.ProcessEnv): ServerOptions {
  return {
    dataDir: env.SLOTWISE_DATA ?? './data',
    db: env.SLOTWISE_DB ?? null,
    host: env.SLOTWISE_HOST ?? '0.0.0.0',
    port: Number(env.PORT ?? env.SLOTWISE_PORT ?? 8080),
    publicUrl: env.SLOTWISE_PUBLIC_URL ?? null,
    insecureLab: env.SLOTWISE_INSECURE_LAB === '1',
    trustedProxies: (env.SLOTWISE_TRUSTED_PROXIES ?? '').split(',').filter((s) => s !== ''),
    maxUploadBytes: Number(env.SLOTWISE_MAX_UPLOAD_BYTES ?? 64 * 1024 * 1024),
    logLevel: env.SLOTWISE_LOG_LEVEL ?? 'info',
    adminKey: env.SLOTWISE_ADMIN_KEY ?? null,
  };
}

/** Stops on SIGINT/SIGTERM after flushing last-seen and closing the store. */
export function closeOnSignals(server: RunningServer): void {
  const stop = (): void => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  startServer(optionsFromEnv(process.env)).then(closeOnSignals, (error: unknown) => {
    process.stderr.write(`slotwise server: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
