/**
 * @module http/routes/admin
 * Tenants (gateway token, trusted proxy authorities, trusted image keys, polling), admin API
 * keys, the audit log and a fleet status summary.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ApiKeyCreate, ApiKeyCreated, AuditEntry, AuditQuery, Status, Tenant, TenantHeader, TenantPut, errorResponses } from '../api-schemas.js';
import { defaultTenant } from '../../service/tenants.js';
import { authenticateAdmin } from '../auth.js';
import { adminOf, type ManagementOptions } from './context.js';

export async function adminRoutes(app: FastifyInstance, opts: ManagementOptions): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { services } = opts;
  const TenantName = Type.Object({ name: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) });

  r.get('/api/v1/tenants/:name', { schema: { tags: ['admin'], params: TenantName, response: { 200: Tenant, ...errorResponses } } }, async (req) => {
    await authenticateAdmin(req, services);
    return services.tenants.get(req.params.name);
  });

  r.put('/api/v1/tenants/:name', { schema: { tags: ['admin'], params: TenantName, body: TenantPut, response: { 200: Tenant, ...errorResponses } } }, async (req) => {
    const key = await authenticateAdmin(req, services);
    const current = (await services.tenants.find(req.params.name)) ?? defaultTenant(req.params.name.toUpperCase());
    const next = { ...current };
    for (const [k, v] of Object.entries(req.body)) if (v !== undefined) (next as Record<string, unknown>)[k] = v;
    return services.tenants.put(next, `admin:${key.name}`);
  });

  r.post('/api/v1/api-keys', { schema: { tags: ['admin'], body: ApiKeyCreate, response: { 201: ApiKeyCreated, ...errorResponses } } }, async (req, reply) => {
    const key = await authenticateAdmin(req, services);
    const created = await services.apiKeys.create(req.body.name, `admin:${key.name}`);
    return reply.code(201).send({ id: created.record.id, name: created.record.name, key: created.key });
  });

  r.get('/api/v1/audit', { schema: { tags: ['admin'], headers: TenantHeader, querystring: AuditQuery, response: { 200: Type.Array(AuditEntry), ...errorResponses } } }, async (req) => {
    const { tenant } = await adminOf(req, services);
    return services.ctx.store.listAudit(tenant, { ...(req.query.subject === undefined ? {} : { subject: req.query.subject }), limit: req.query.limit ?? 100 });
  });

  r.get('/api/v1/status', { schema: { tags: ['admin'], headers: TenantHeader, response: { 200: Status, ...errorResponses } } }, async (req) => {
    const { tenant } = await adminOf(req, services);
    const store = services.ctx.store;
    return {
      tenant,
      devices: await store.countDevices(tenant),
      artifacts: (await store.listArtifacts(tenant)).length,
      releases: (await store.listReleases(tenant)).length,
      rollouts: (await store.listRollouts(tenant)).map((x) => ({ id: x.id, name: x.name, state: x.state, currentStage: x.currentStage })),
      storage: store.kind,
    };
  });
}
