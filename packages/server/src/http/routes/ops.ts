/**
 * @module http/routes/ops
 * Operations endpoints, unauthenticated by design: `/healthz` (the store answers a query) and
 * `/metrics` (Prometheus text format).
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Services } from '../../service/services.js';
import type { ServerMetrics } from '../metrics.js';
import { errorResponses } from '../api-schemas.js';

export async function opsRoutes(app: FastifyInstance, opts: { services: Services; metrics: ServerMetrics }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get('/healthz', { schema: { tags: ['ops'], response: { 200: Type.Object({ ok: Type.Boolean(), storage: Type.String() }), ...errorResponses } } }, async () => {
    await opts.services.ctx.store.countApiKeys();
    return { ok: true, storage: opts.services.ctx.store.kind };
  });
  r.get('/metrics', { schema: { tags: ['ops'], response: { 200: Type.String({ description: 'Prometheus text exposition format' }) } } }, async (_req, reply) => {
    return reply.type(opts.metrics.registry.contentType).send(await opts.metrics.registry.metrics());
  });
}
