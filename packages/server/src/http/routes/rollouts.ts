/**
 * @module http/routes/rollouts
 * `/api/v1/rollouts`: create (starts stage 0 at once), list, status by stage, pause, resume,
 * abort.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { NumericIdParam, Rollout, RolloutCreate, RolloutSummary, TenantHeader, errorResponses } from '../api-schemas.js';
import { adminOf, type ManagementOptions } from './context.js';

export async function rolloutRoutes(app: FastifyInstance, opts: ManagementOptions): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { services } = opts;

  r.post('/api/v1/rollouts', { schema: { tags: ['rollouts'], headers: TenantHeader, body: RolloutCreate, response: { 201: Rollout, ...errorResponses } } }, async (req, reply) => {
    const { actor, tenant } = await adminOf(req, services);
    return reply.code(201).send(await services.rollouts.create(tenant, req.body, actor));
  });

  r.get('/api/v1/rollouts', { schema: { tags: ['rollouts'], headers: TenantHeader, response: { 200: Type.Array(Rollout), ...errorResponses } } }, async (req) => {
    const { tenant } = await adminOf(req, services);
    return services.rollouts.list(tenant);
  });

  r.get('/api/v1/rollouts/:id', { schema: { tags: ['rollouts'], headers: TenantHeader, params: NumericIdParam, response: { 200: RolloutSummary, ...errorResponses } } }, async (req) => {
    const { tenant } = await adminOf(req, services);
    return services.rollouts.summary(tenant, req.params.id);
  });

  for (const verb of ['pause', 'resume', 'abort'] as const) {
    r.post(`/api/v1/rollouts/:id/${verb}`, { schema: { tags: ['rollouts'], headers: TenantHeader, params: NumericIdParam, response: { 200: Rollout, ...errorResponses } } }, async (req) => {
      const { actor, tenant } = await adminOf(req, services);
      return services.rollouts[verb](tenant, req.params.id, actor);
    });
  }
}
