/**
 * @module http/routes/telemetry
 * `POST /api/v1/samples` (device token; one record or an array; at-least-once safe) and
 * `GET /api/v1/devices/:id/samples` (admin) for a device's series.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { authenticateDeviceToken } from '../auth.js';
import { ApiError } from '../errors.js';
import { IdParam, SampleQuery, SampleSeries, SamplesAccepted, SamplesIn, TenantHeader, errorResponses } from '../api-schemas.js';
import { adminOf, type ManagementOptions } from './context.js';

export async function telemetryRoutes(app: FastifyInstance, opts: ManagementOptions): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { services } = opts;

  r.post('/api/v1/samples', { bodyLimit: 256 * 1024, schema: { tags: ['telemetry'], body: SamplesIn, response: { 200: SamplesAccepted, ...errorResponses } } }, async (req) => {
    const device = await authenticateDeviceToken(req, services);
    services.lastSeen.seen(device.tenant, device.controllerId, services.ctx.clock.nowMs());
    const records = Array.isArray(req.body) ? req.body : [req.body];
    const claimed = records.find((x) => x.device_id !== undefined && x.device_id !== device.controllerId);
    if (claimed !== undefined) {
      req.log.warn({ device: device.controllerId, claimed: claimed.device_id }, '401: samples claim another device');
      throw new ApiError('SW_ERR_AUTH_INVALID', `The token belongs to '${device.controllerId}', not '${claimed.device_id ?? ''}'.`);
    }
    return services.telemetry.ingest(device, records);
  });

  r.get('/api/v1/devices/:id/samples', { schema: { tags: ['telemetry'], headers: TenantHeader, params: IdParam, querystring: SampleQuery, response: { 200: SampleSeries, ...errorResponses } } }, async (req) => {
    const { tenant } = await adminOf(req, services);
    await services.devices.get(tenant, req.params.id);
    return services.telemetry.series(tenant, req.params.id, {
      ...(req.query.from === undefined ? {} : { fromMs: req.query.from }),
      ...(req.query.to === undefined ? {} : { toMs: req.query.to }),
      ...(req.query.limit === undefined ? {} : { limit: req.query.limit }),
    });
  });
}
