/**
 * @module service/tenants
 * Tenant settings with a short read cache (the poll path must not hit the database for them on
 * every request). `DEFAULT` exists implicitly with default settings; other tenants are created
 * through the management API. Names are upper-cased: DDI tenants match case-insensitively.
 */
import type { TenantRecord } from '../store/store.js';
import { ApiError } from '../http/errors.js';
import { audit } from './audit.js';
import type { ServiceContext } from './context.js';

export const DEFAULT_TENANT = 'DEFAULT';
const CACHE_MS = 5_000;

export function defaultTenant(name: string): TenantRecord {
  return { name, gatewayToken: null, gatewayIdPrefix: null, trustedAuthorities: [], trustedKeys: [], downgradeGuard: false, pollSleepSec: 300, pollJitterPct: 0 };
}

export interface TenantService {
  /** The tenant, or null when it does not exist (DEFAULT always exists). */
  find(name: string): Promise<TenantRecord | null>;
  get(name: string): Promise<TenantRecord>;
  put(tenant: TenantRecord, actor: string): Promise<TenantRecord>;
}

export function createTenantService(ctx: ServiceContext): TenantService {
  const cache = new Map<string, { at: number; tenant: TenantRecord | null }>();
  const service: TenantService = {
    async find(rawName) {
      const name = rawName.toUpperCase();
      const now = ctx.clock.nowMs();
      const hit = cache.get(name);
      if (hit !== undefined && now - hit.at < CACHE_MS && now >= hit.at) return hit.tenant;
      let tenant = await ctx.store.getTenant(name);
      if (tenant === null && name === DEFAULT_TENANT) tenant = defaultTenant(name);
      cache.set(name, { at: now, tenant });
      return tenant;
    },
    async get(name) {
      const t = await service.find(name);
      if (t === null) throw new ApiError('SW_ERR_TENANT_NOT_FOUND', `Tenant '${name}' does not exist; create it with PUT /api/v1/tenants/${name.toUpperCase()}.`);
      return t;
    },
    async put(tenant, actor) {
      const t = { ...tenant, name: tenant.name.toUpperCase() };
      await ctx.store.putTenant(t);
      cache.delete(t.name);
      await audit(ctx, t.name, actor, 'tenant.updated', `tenant:${t.name}`, { gateway: t.gatewayToken !== null, gatewayIdPrefix: t.gatewayIdPrefix, trustedKeys: t.trustedKeys.length, pollSleepSec: t.pollSleepSec });
      return t;
    },
  };
  return service;
}
