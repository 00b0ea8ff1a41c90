/**
 * @module http/auth
 * Who is calling. DDI (hawkbit-ddi.md A.4): reverse-proxy certificate headers (from trusted
 * proxy addresses only), `TargetToken` (the device's own 32-character token, valid only for its
 * own controllerId), `GatewayToken` (per tenant, optionally limited to an id prefix; registers
 * unknown devices), and an explicit insecure lab mode. Management: `Bearer` admin API keys
 * (stored hashed). Telemetry: the device's TargetToken. Every refusal is a 401 with a code and a
 * reason, and is logged.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { ApiKeyRecord, DeviceRecord, TenantRecord } from '../store/store.js';
import type { Services } from '../service/services.js';
import { ApiError } from './errors.js';

export interface DdiIdentity {
  tenant: TenantRecord;
  device: DeviceRecord;
  via: 'target-token' | 'gateway-token' | 'certificate' | 'insecure-lab';
}

export interface AuthConfig {
  /** Accept unauthenticated DDI requests (registering any controllerId). Never the default. */
  insecureLab: boolean;
  /** Source addresses allowed to send X-Controller-Id / X-Authority certificate headers. */
  trustedProxies: readonly string[];
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function splitAuthorization(req: FastifyRequest): { scheme: string; value: string } | null {
  const h = req.headers.authorization;
  if (h === undefined || h.trim() === '') return null;
  const m = /^\s*(\S+)\s+(\S.*?)\s*$/.exec(h);
  if (m === null || m[1] === undefined || m[2] === undefined) return { scheme: h.trim(), value: '' };
  return { scheme: m[1], value: m[2] };
}

function headerValue(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function fail(req: FastifyRequest, code: 'SW_ERR_AUTH_MISSING' | 'SW_ERR_AUTH_INVALID' | 'SW_ERR_AUTH_MODE_DISABLED', why: string): never {
  req.log.warn({ authFailure: code, why, url: req.url, ip: req.ip }, `401: ${why}`);
  throw new ApiError(code, why);
}

/** Authenticates a DDI request for `/{tenant}/controller/v1/{controllerId}/**`. */
export async function authenticateDdi(req: FastifyRequest, services: Services, config: AuthConfig, tenantName: string, controllerId: string): Promise<DdiIdentity> {
  const tenant = await services.tenants.find(tenantName);
  if (tenant === null) fail(req, 'SW_ERR_AUTH_INVALID', `Unknown tenant '${tenantName}'.`);

  const certId = headerValue(req, 'x-controller-id');
  if (certId !== undefined && config.trustedProxies.includes(req.ip)) {
    if (certId !== controllerId) fail(req, 'SW_ERR_AUTH_INVALID', `Certificate CN '${certId}' does not match controllerId '${controllerId}'.`);
    const offered: string[] = [];
    const list = headerValue(req, 'x-authority');
    if (list !== undefined) offered.push(...list.split(/[;,]/));
    for (let i = 0; i < 16; i++) {
      const v = headerValue(req, `x-authority-${i}`);
      if (v === undefined) break;
      offered.push(v);
    }
    const trusted = new Set(tenant.trustedAuthorities.map((a) => a.toLowerCase()));
    if (trusted.size === 0) fail(req, 'SW_ERR_AUTH_MODE_DISABLED', `Certificate authentication is not enabled for tenant ${tenant.name} (no trusted authorities).`);
    if (!offered.some((a) => trusted.has(a.trim().toLowerCase()))) fail(req, 'SW_ERR_AUTH_INVALID', 'The client certificate issuer is not trusted by this tenant.');
    return { tenant, device: await services.devices.autoRegister(tenant.name, controllerId, 'certificate'), via: 'certificate' };
  }

  const auth = splitAuthorization(req);
  if (auth === null) {
    if (config.insecureLab) {
      req.log.warn({ device: controllerId }, 'INSECURE LAB MODE: unauthenticated DDI request accepted');
      return { tenant, device: await services.devices.autoRegister(tenant.name, controllerId, 'insecure-lab'), via: 'insecure-lab' };
    }
    fail(req, 'SW_ERR_AUTH_MISSING', 'No Authorization header: send "TargetToken <token>" or "GatewayToken <token>".');
  }
  const scheme = auth.scheme.toLowerCase();
  if (scheme === 'targettoken') {
    const device = await services.ctx.store.getDevice(tenant.name, controllerId);
    if (device === null) fail(req, 'SW_ERR_AUTH_INVALID', `Device '${controllerId}' is not registered; target tokens are issued at registration.`);
    if (!safeEqual(device.token, auth.value)) fail(req, 'SW_ERR_AUTH_INVALID', `The target token is not the one of device '${controllerId}'.`);
    return { tenant, device, via: 'target-token' };
  }
  if (scheme === 'gatewaytoken') {
    if (tenant.gatewayToken === null) fail(req, 'SW_ERR_AUTH_MODE_DISABLED', `Gateway tokens are not enabled for tenant ${tenant.name}.`);
    if (!safeEqual(tenant.gatewayToken, auth.value)) fail(req, 'SW_ERR_AUTH_INVALID', 'The gateway token is wrong.');
    if (tenant.gatewayIdPrefix !== null && !controllerId.startsWith(tenant.gatewayIdPrefix)) {
      fail(req, 'SW_ERR_AUTH_INVALID', `The gateway token only admits controllerIds starting with '${tenant.gatewayIdPrefix}'.`);
    }
    return { tenant, device: await services.devices.autoRegister(tenant.name, controllerId, 'gateway-token'), via: 'gateway-token' };
  }
  fail(req, 'SW_ERR_AUTH_INVALID', `Unsupported authorization scheme '${auth.scheme}'; use TargetToken or GatewayToken.`);
}

/** Authenticates a management request (`Authorization: Bearer <admin key>`). */
export async function authenticateAdmin(req: FastifyRequest, services: Services): Promise<ApiKeyRecord> {
  const auth = splitAuthorization(req);
  if (auth === null) fail(req, 'SW_ERR_AUTH_MISSING', 'No Authorization header: send "Bearer <admin API key>".');
  if (auth.scheme.toLowerCase() !== 'bearer') fail(req, 'SW_ERR_AUTH_INVALID', `The management API takes "Bearer <admin API key>", not ${auth.scheme}.`);
  const key = await services.apiKeys.verify(auth.value);
  if (key === null) fail(req, 'SW_ERR_AUTH_INVALID', 'Unknown admin API key.');
  return key;
}

/** Authenticates a device outside DDI (telemetry) by its own target token. */
export async function authenticateDeviceToken(req: FastifyRequest, services: Services): Promise<DeviceRecord> {
  const auth = splitAuthorization(req);
  if (auth === null) fail(req, 'SW_ERR_AUTH_MISSING', 'No Authorization header: send "TargetToken <device token>".');
  if (auth.scheme.toLowerCase() !== 'targettoken') fail(req, 'SW_ERR_AUTH_INVALID', `Samples take "TargetToken <device token>", not ${auth.scheme}.`);
  const device = await services.ctx.store.getDeviceByToken(auth.value);
  if (device === null) fail(req, 'SW_ERR_AUTH_INVALID', 'Unknown device token.');
  return device;
}
