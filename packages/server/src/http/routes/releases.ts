/**
 * @module http/routes/releases
 * `/api/v1/releases` (distribution sets) and `/api/v1/deployments` + `/api/v1/actions` (assign a
 * release to one device, inspect and cancel an action).
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ApiError } from '../errors.js';
import { Action, ActionDetail, DeploymentCreate, NumericIdParam, Release, ReleaseCreate, TenantHeader, errorResponses } from '../api-schemas.js';
import { adminOf, type ManagementOptions } from './context.js';

export async function releaseRoutes(app: FastifyInstance, opts: ManagementOptions): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { services } = opts;

  r.post('/api/v1/releases', { schema: { tags: ['releases'], headers: TenantHeader, body: ReleaseCreate, response: { 201: Release, ...errorResponses } } }, async (req, reply) => {
    const { actor, tenant } = await adminOf(req, services);
    return reply.code(201).send(await services.releases.create(tenant, req.body, actor));
  });

  r.get('/api/v1/releases', { schema: { tags: ['releases'], headers: TenantHeader, response: { 200: Type.Array(Release), ...errorResponses } } }, async (req) => {
    const { tenant } = await adminOf(req, services);
    return services.releases.list(tenant);
  });

  r.get('/api/v1/releases/:id', { schema: { tags: ['releases'], headers: TenantHeader, params: NumericIdParam, response: { 200: Release, ...errorResponses } } }, async (req) => {
    const { tenant } = await adminOf(req, services);
    return services.releases.get(tenant, req.params.id);
  });

  r.post('/api/v1/deployments', { schema: { tags: ['actions'], headers: TenantHeader, body: DeploymentCreate, response: { 201: Action, ...errorResponses } } }, async (req, reply) => {
    const { actor, tenant } = await adminOf(req, services);
    const device = await services.devices.get(tenant, req.body.controllerId);
    const release = await services.releases.get(tenant, req.body.releaseId);
    const action = await services.actions.create(
      {
        tenant,
        device,
        release,
        type: req.body.type ?? 'forced',
        rolloutId: null,
        stage: null,
        maintenance: req.body.maintenance ?? null,
        timeoutMs: req.body.timeoutMs ?? null,
        requireVersionReport: req.body.requireVersionReport ?? true,
      },
      actor,
    );
    if (action === null) throw new ApiError('SW_ERR_ACTION_CONFLICT', `Device '${device.controllerId}' already has active action ${device.activeActionId ?? '?'}; cancel it first.`);
    return reply.code(201).send(action);
  });

  r.get('/api/v1/actions/:id', { schema: { tags: ['actions'], headers: TenantHeader, params: NumericIdParam, response: { 200: ActionDetail, ...errorResponses } } }, async (req) => {
    const { tenant } = await adminOf(req, services);
    const action = await services.actions.get(tenant, req.params.id);
    return { action, history: await services.ctx.store.listActionStatus(action.id, 100) };
  });

  r.post('/api/v1/actions/:id/cancel', { schema: { tags: ['actions'], headers: TenantHeader, params: NumericIdParam, response: { 200: Action, ...errorResponses } } }, async (req) => {
    const { actor, tenant } = await adminOf(req, services);
    return services.actions.cancel(tenant, req.params.id, actor);
  });
}
