/**
 * @module test/harness
 * A complete server for tests: SQLite file + blob directory in a temp dir, a manual clock, a
 * seeded Random, and an admin API key. `ddi(...)` and `admin(...)` are inject() shorthands.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createManualClock, createRandom, type ManualClock } from '@slotwise/core';
import { buildApp, type AppConfig } from '../src/app.js';
import { createFsBlobStore, type BlobStore } from '../src/blob/blob-store.js';
import { createIdGenerator } from '../src/service/context.js';
import type { ImageInspector } from '../src/service/artifacts.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';

export interface Harness {
  app: FastifyInstance;
  store: Store;
  clock: ManualClock;
  adminKey: string;
  dir: string;
  admin(method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, body?: unknown): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export const opaqueInspector: ImageInspector = async () => ({ kind: 'opaque' });

export async function createHarness(opts: { config?: AppConfig; store?: Store; blobs?: BlobStore; inspectImage?: ImageInspector; startMs?: number } = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'slotwise-srv-'));
  const store = opts.store ?? openSqliteStore(join(dir, 'slotwise.db'));
  await store.migrate();
  const clock = createManualClock(opts.startMs ?? Date.UTC(2026, 10, 27, 12, 0, 0));
  const random = createRandom(42);
  const app = await buildApp({
    store,
    blobs: opts.blobs ?? createFsBlobStore(join(dir, 'artifacts')),
    clock,
    random,
    ids: createIdGenerator(random.fork('ids')),
    inspectImage: opts.inspectImage ?? opaqueInspector,
    logger: false,
    config: { publicUrl: 'http://ota.test:8080', ...opts.config },
  });
  const { key } = await app.slotwise.services.apiKeys.create('test', 'test');
  return {
    app,
    store,
    clock,
    adminKey: key,
    dir,
    admin: (method, url, body) =>
      app.inject({ method, url, headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) }),
    async close() {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Registers a device, uploads `bytes` as an artifact, creates a release; returns ids and token. */
export async function seedRelease(h: Harness, opts: { controllerId?: string; version?: string; bytes?: Uint8Array; filename?: string; runningVersion?: string; profile?: string } = {}): Promise<{ token: string; releaseId: number; sha256: string; bytes: Uint8Array }> {
  const controllerId = opts.controllerId ?? 'dev-1';
  const reg = await h.admin('POST', '/api/v1/devices', { controllerId, runningVersion: opts.runningVersion ?? '1.0.0', ...(opts.profile === undefined ? {} : { profile: opts.profile }) });
  if (reg.statusCode !== 201) throw new Error(`register: ${reg.statusCode} ${reg.body}`);
  const bytes = opts.bytes ?? new Uint8Array(Array.from({ length: 5000 }, (_, i) => (i * 7) & 0xff));
  const up = await h.app.inject({
    method: 'POST',
    url: `/api/v1/artifacts?filename=${encodeURIComponent(opts.filename ?? 'fw.signed.bin')}`,
    headers: { authorization: `Bearer ${h.adminKey}`, 'content-type': 'application/octet-stream' },
    payload: Buffer.from(bytes),
  });
  if (up.statusCode !== 201 && up.statusCode !== 200) throw new Error(`upload: ${up.statusCode} ${up.body}`);
  const sha256 = (up.json() as { sha256: string }).sha256;
  const rel = await h.admin('POST', '/api/v1/releases', { name: 'sensor-fw', version: opts.version ?? '2.0.0', artifacts: [{ sha256 }] });
  if (rel.statusCode !== 201) throw new Error(`release: ${rel.statusCode} ${rel.body}`);
  return { token: (reg.json() as { token: string }).token, releaseId: (rel.json() as { id: number }).id, sha256, bytes };
}
