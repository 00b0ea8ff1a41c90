/**
 * @module http/routes/context
 * What management routes share: the services and `adminOf(req)`, which authenticates the admin
 * key and resolves the tenant (`X-Slotwise-Tenant`, default `DEFAULT`).
 */
import type { FastifyRequest } from 'fastify';
import type { Services } from '../../service/services.js';
import type { DeviceRecord } from '../../store/store.js';
import { authenticateAdmin } from '../auth.js';

export interface ManagementOptions {
  services: Services;
  maxUploadBytes: number;
}

export interface AdminCall {
  actor: string;
  tenant: string;
}

export async function adminOf(req: FastifyRequest, services: Services): Promise<AdminCall> {
  const key = await authenticateAdmin(req, services);
  const raw = req.headers['x-slotwise-tenant'];
  const tenant = await services.tenants.get(typeof raw === 'string' && raw !== '' ? raw : 'DEFAULT');
  return { actor: `admin:${key.name}`, tenant: tenant.name };
}

/** The device as the API shows it: never its token; last-seen includes the unflushed batch. */
export function deviceView(services: Services, d: DeviceRecord): Omit<DeviceRecord, 'token'> {
  const { token: _token, ...rest } = d;
  const pending = services.lastSeen.pending(d.tenant, d.controllerId);
  return { ...rest, lastSeenMs: pending !== undefined && (d.lastSeenMs === null || pending > d.lastSeenMs) ? pending : d.lastSeenMs };
}
