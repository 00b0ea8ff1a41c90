/**
 * @module http/routes/devices
 * `/api/v1/devices`: register (returns the target token once), list/filter, read, patch tags,
 * group, profile and attributes, rotate the token, list a device's actions.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { DeviceFilter } from '../../store/store.js';
import { Action, Device, DeviceListQuery, DevicePatch, DeviceRegister, DeviceWithToken, IdParam, TenantHeader, errorResponses } from '../api-schemas.js';
import { adminOf, deviceView, type ManagementOptions } from './context.js';

export async function deviceRoutes(app: FastifyInstance, opts: ManagementOptions): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { services } = opts;

  r.post('/api/v1/devices', { schema: { tags: ['devices'], headers: TenantHeader, body: DeviceRegister, response: { 201: DeviceWithToken, ...errorResponses } } }, async (req, reply) => {
    const { actor, tenant } = await adminOf(req, services);
    const d = await services.devices.register(tenant, req.body, actor);
    return reply.code(201).send({ device: deviceView(services, d), token: d.token });
  });

  r.get('/api/v1/devices', { schema: { tags: ['devices'], headers: TenantHeader, querystring: DeviceListQuery, response: { 200: Type.Array(Device), ...errorResponses } } }, async (req) => {
    const { tenant } = await adminOf(req, services);
    const filter: DeviceFilter = {};
    if (req.query.tag !== undefined) filter.tags = [req.query.tag];
    if (req.query.group !== undefined) filter.group = req.query.group;
    if (req.query.version !== undefined) filter.runningVersion = req.query.version;
    const list = await services.devices.list(tenant, filter, { limit: req.query.limit ?? 1000, offset: req.query.offset ?? 0 });
    return list.map((d) => deviceView(services, d));
  });

  r.get('/api/v1/devices/:id', { schema: { tags: ['devices'], headers: TenantHeader, params: IdParam, response: { 200: Device, ...errorResponses } } }, async (req) => {
    const { tenant } = await adminOf(req, services);
    return deviceView(services, await services.devices.get(tenant, req.params.id));
  });

  r.patch('/api/v1/devices/:id', { schema: { tags: ['devices'], headers: TenantHeader, params: IdParam, body: DevicePatch, response: { 200: Device, ...errorResponses } } }, async (req) => {
    const { actor, tenant } = await adminOf(req, services);
    return deviceView(services, await services.devices.update(tenant, req.params.id, req.body, actor));
  });

  r.post('/api/v1/devices/:id/token', { schema: { tags: ['devices'], headers: TenantHeader, params: IdParam, response: { 200: DeviceWithToken, ...errorResponses } } }, async (req) => {
    const { actor, tenant } = await adminOf(req, services);
    const d = await services.devices.rotateToken(tenant, req.params.id, actor);
    return { device: deviceView(services, d), token: d.token };
  });

  r.get('/api/v1/devices/:id/actions', { schema: { tags: ['devices'], headers: TenantHeader, params: IdParam, response: { 200: Type.Array(Action), ...errorResponses } } }, async (req) => {
    const { tenant } = await adminOf(req, services);
    await services.devices.get(tenant, req.params.id);
    return services.ctx.store.listActions({ tenant, controllerId: req.params.id });
  });
}
