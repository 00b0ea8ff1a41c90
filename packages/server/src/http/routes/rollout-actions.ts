/**
 * @module http/routes/rollout-actions
 * `GET /api/v1/rollouts/:id/actions` (admin): every action a rollout created, with its device,
 * stage and outcome, so an operator sees which devices rolled back, failed or timed out.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Action, NumericIdParam, TenantHeader, errorResponses } from '../api-schemas.js';
import { adminOf, type ManagementOptions } from './context.js';

export async function rolloutActionRoutes(app: FastifyInstance, opts: ManagementOptions): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { services } = opts;
  r.get('/api/v1/rollouts/:id/actions', { schema: { tags: ['rollouts'], headers: TenantHeader, params: NumericIdParam, response: { 200: Type.Array(Action), ...errorResponses } } }, async (req) => {
    const { tenant } = await adminOf(req, services);
    const rollout = await services.rollouts.get(tenant, req.params.id);
    return services.ctx.store.listActions({ tenant, rolloutId: rollout.id });
  });
}
