/**
 * @module service/api-keys
 * Admin API keys for the management API: generated once, shown once, stored only as a SHA-256
 * hash (a leaked database does not leak keys). `Authorization: Bearer <key>`.
 */
import { createHash } from 'node:crypto';
import type { ApiKeyRecord } from '../store/store.js';
import { audit } from './audit.js';
import type { ServiceContext } from './context.js';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export interface ApiKeyService {
  /** Creates a key; the returned `key` is the only copy. */
  create(name: string, actor: string): Promise<{ record: ApiKeyRecord; key: string }>;
  verify(key: string): Promise<ApiKeyRecord | null>;
  count(): Promise<number>;
}

export function createApiKeyService(ctx: ServiceContext): ApiKeyService {
  return {
    async create(name, actor) {
      const key = ctx.ids.apiKey();
      const hash = hashApiKey(key);
      const record: ApiKeyRecord = { id: hash.slice(0, 12), name, hash, createdMs: ctx.clock.nowMs() };
      await ctx.store.createApiKey(record);
      await audit(ctx, 'DEFAULT', actor, 'api-key.created', `api-key:${record.id}`, { name });
      return { record, key };
    },
    verify: (key) => ctx.store.findApiKeyByHash(hashApiKey(key)),
    count: () => ctx.store.countApiKeys(),
  };
}
