/**
 * @module http/routes/twin
 * The device twin API. `POST /api/v1/twin` (device token): a simulated device posts timeline
 * events (app states, OTA milestones, boot decisions with reasons, resets) and its flash slot
 * picture. `GET /api/v1/devices/:id/timeline` and `GET /api/v1/devices/:id/slots` (admin) serve
 * them to the dashboard.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { authenticateDeviceToken } from '../auth.js';
import { IdParam, TenantHeader, errorResponses } from '../api-schemas.js';
import { DeviceSlots, Timeline, TimelineQuery, TwinAccepted, TwinPost, type SlotsIn } from '../twin-schemas.js';
import { createDeviceTwinService } from '../../service/device-twin.js';
import { adminOf, type ManagementOptions } from './context.js';

export async function twinRoutes(app: FastifyInstance, opts: ManagementOptions): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { services } = opts;
  const twin = createDeviceTwinService(services.ctx);

  r.post('/api/v1/twin', { bodyLimit: 512 * 1024, schema: { tags: ['twin'], body: TwinPost, response: { 200: TwinAccepted, ...errorResponses } } }, async (req) => {
    const device = await authenticateDeviceToken(req, services);
    services.lastSeen.seen(device.tenant, device.controllerId, services.ctx.clock.nowMs());
    return twin.report(device, { ...(req.body.events === undefined ? {} : { events: req.body.events }), ...(req.body.slots === undefined ? {} : { slots: req.body.slots }) });
  });

  r.get('/api/v1/devices/:id/timeline', { schema: { tags: ['twin'], headers: TenantHeader, params: IdParam, querystring: TimelineQuery, response: { 200: Timeline, ...errorResponses } } }, async (req) => {
    const { tenant } = await adminOf(req, services);
    await services.devices.get(tenant, req.params.id);
    const events = await twin.timeline(tenant, req.params.id, { ...(req.query.after === undefined ? {} : { afterSeq: req.query.after }), limit: req.query.limit ?? 500 });
    return { device: req.params.id, events };
  });

  r.get('/api/v1/devices/:id/slots', { schema: { tags: ['twin'], headers: TenantHeader, params: IdParam, response: { 200: DeviceSlots, ...errorResponses } } }, async (req) => {
    const { tenant } = await adminOf(req, services);
    await services.devices.get(tenant, req.params.id);
    // Stored only after validation against SlotsIn at ingest, so it has that shape.
    const slots = (await twin.slots(tenant, req.params.id)) as (SlotsIn & { receivedMs: number }) | null;
    return { device: req.params.id, slots };
  });
}
