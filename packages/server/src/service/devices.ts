/**
 * @module service/devices
 * Device inventory: registration (with a generated 32-character target token), auto-registration
 * for gateway/certificate/lab authentication, attributes (configData, A.9), tags and groups, and
 * the running version reported by the device, which feeds rollback detection.
 */
import type { DdiConfigData } from '@slotwise/core/protocol/ddi';
import { VERSION_ATTRIBUTE_KEYS } from '@slotwise/core/protocol/ddi';
import type { ClientProfile, DeviceFilter, DevicePatch, DeviceRecord, Page } from '../store/store.js';
import { ApiError } from '../http/errors.js';
import type { ActionService } from './actions.js';
import { audit } from './audit.js';
import type { ServiceContext } from './context.js';
import { sameVersion } from './versions.js';

export interface RegisterDeviceInput {
  controllerId: string;
  attributes?: Record<string, string>;
  tags?: string[];
  group?: string | null;
  profile?: ClientProfile;
  runningVersion?: string | null;
}

export interface DeviceUpdateInput {
  tags?: string[];
  group?: string | null;
  profile?: ClientProfile;
  attributes?: Record<string, string>;
  requestAttributes?: boolean;
}

export interface DeviceService {
  register(tenant: string, input: RegisterDeviceInput, actor: string): Promise<DeviceRecord>;
  /** Registers on first contact (gateway token, proxy certificate, lab mode); idempotent. */
  autoRegister(tenant: string, controllerId: string, how: string): Promise<DeviceRecord>;
  get(tenant: string, controllerId: string): Promise<DeviceRecord>;
  list(tenant: string, filter?: DeviceFilter, page?: Page): Promise<DeviceRecord[]>;
  update(tenant: string, controllerId: string, input: DeviceUpdateInput, actor: string): Promise<DeviceRecord>;
  rotateToken(tenant: string, controllerId: string, actor: string): Promise<DeviceRecord>;
  configData(device: DeviceRecord, body: DdiConfigData): Promise<DeviceRecord>;
  reportVersion(device: DeviceRecord, version: string, source: string): Promise<DeviceRecord>;
}

/** hawkBit's attribute rules (A.9): ≤ 128 chars, this character set, ≤ 100 per device. */
const ATTRIBUTE_TEXT = /^[\p{L}\p{N}\s_\-!@#$%^&*()+=[\]{}|;:'",.<>/\\?]{1,128}$/u;
export const MAX_ATTRIBUTES = 100;
// eslint-disable-next-line no-control-regex -- control characters are exactly what we reject
export const CONTROLLER_ID = /^[^\s/\\?#%\u0000-\u001f]{1,256}$/u;

export function validateAttributes(data: Record<string, string>): void {
  for (const [k, v] of Object.entries(data)) {
    if (!ATTRIBUTE_TEXT.test(k)) throw new ApiError('SW_ERR_DEVICE_ATTRIBUTES_INVALID', `Attribute key '${k.slice(0, 40)}' must be 1–128 letters, digits, spaces or punctuation.`);
    if (typeof v !== 'string' || (v !== '' && !ATTRIBUTE_TEXT.test(v))) throw new ApiError('SW_ERR_DEVICE_ATTRIBUTES_INVALID', `Attribute '${k}' must have a value of at most 128 letters, digits, spaces or punctuation.`);
  }
  if (Object.keys(data).length > MAX_ATTRIBUTES) throw new ApiError('SW_ERR_DEVICE_ATTRIBUTES_INVALID', `At most ${MAX_ATTRIBUTES} attributes per device.`);
}

export function versionFromAttributes(data: Record<string, string>): string | null {
  for (const key of VERSION_ATTRIBUTE_KEYS) {
    const v = data[key];
    if (v !== undefined && v.trim() !== '') return v.trim();
  }
  return null;
}

export function createDeviceService(ctx: ServiceContext, actions: ActionService): DeviceService {
  function newDevice(tenant: string, input: RegisterDeviceInput): DeviceRecord {
    if (!CONTROLLER_ID.test(input.controllerId)) throw new ApiError('SW_ERR_REQUEST_INVALID', 'controllerId must be 1–256 characters without spaces, slashes, ?, # or %.');
    if (input.attributes !== undefined) validateAttributes(input.attributes);
    return {
      tenant,
      controllerId: input.controllerId,
      token: ctx.ids.token(),
      attributes: input.attributes ?? {},
      tags: input.tags ?? [],
      group: input.group ?? null,
      profile: input.profile ?? 'auto',
      runningVersion: input.runningVersion ?? (input.attributes === undefined ? null : versionFromAttributes(input.attributes)),
      previousVersion: null,
      lastSeenMs: null,
      createdMs: ctx.clock.nowMs(),
      configRequested: true,
      activeActionId: null,
      installedActionId: null,
    };
  }

  const service: DeviceService = {
    async register(tenant, input, actor) {
      const device = newDevice(tenant, input);
      if (!(await ctx.store.createDevice(device))) throw new ApiError('SW_ERR_DEVICE_EXISTS', `Device '${input.controllerId}' is already registered in ${tenant}.`);
      await audit(ctx, tenant, actor, 'device.registered', `device:${device.controllerId}`, { tags: device.tags, group: device.group });
      return device;
    },

    async autoRegister(tenant, controllerId, how) {
      const existing = await ctx.store.getDevice(tenant, controllerId);
      if (existing !== null) return existing;
      const device = newDevice(tenant, { controllerId });
      if (await ctx.store.createDevice(device)) {
        await audit(ctx, tenant, `device:${controllerId}`, 'device.registered', `device:${controllerId}`, { via: how });
        ctx.log.info({ tenant, device: controllerId, via: how }, `auto-registered ${controllerId}`);
        return device;
      }
      return service.get(tenant, controllerId);
    },

    async get(tenant, controllerId) {
      const d = await ctx.store.getDevice(tenant, controllerId);
      if (d === null) throw new ApiError('SW_ERR_DEVICE_NOT_FOUND', `Device '${controllerId}' is not registered in ${tenant}.`);
      return d;
    },

    list: (tenant, filter, page) => ctx.store.listDevices(tenant, filter, page),

    async update(tenant, controllerId, input, actor) {
      await service.get(tenant, controllerId);
      if (input.attributes !== undefined) validateAttributes(input.attributes);
      const patch: DevicePatch = {};
      if (input.tags !== undefined) patch.tags = input.tags;
      if (input.group !== undefined) patch.group = input.group;
      if (input.profile !== undefined) patch.profile = input.profile;
      if (input.attributes !== undefined) patch.attributes = input.attributes;
      if (input.requestAttributes === true) patch.configRequested = true;
      const d = await ctx.store.updateDevice(tenant, controllerId, patch);
      if (d === null) throw new ApiError('SW_ERR_DEVICE_NOT_FOUND', `Device '${controllerId}' is not registered in ${tenant}.`);
      await audit(ctx, tenant, actor, 'device.updated', `device:${controllerId}`, { fields: Object.keys(patch) });
      return d;
    },

    async rotateToken(tenant, controllerId, actor) {
      await service.get(tenant, controllerId);
      const d = await ctx.store.updateDevice(tenant, controllerId, { token: ctx.ids.token() });
      if (d === null) throw new ApiError('SW_ERR_DEVICE_NOT_FOUND', `Device '${controllerId}' is not registered in ${tenant}.`);
      await audit(ctx, tenant, actor, 'device.token-rotated', `device:${controllerId}`);
      return d;
    },

    async configData(device, body) {
      const data = body.data ?? {};
      validateAttributes(data);
      const mode = body.mode ?? 'merge';
      let attributes: Record<string, string>;
      if (mode === 'replace') attributes = { ...data };
      else if (mode === 'remove') {
        attributes = { ...device.attributes };
        for (const k of Object.keys(data)) delete attributes[k];
      } else attributes = { ...device.attributes, ...data };
      if (Object.keys(attributes).length > MAX_ATTRIBUTES) throw new ApiError('SW_ERR_DEVICE_ATTRIBUTES_INVALID', `At most ${MAX_ATTRIBUTES} attributes per device.`);
      // The link must disappear once attributes arrived (Zephyr re-polls and would loop, B.1.3).
      let updated = await ctx.store.updateDevice(device.tenant, device.controllerId, { attributes, configRequested: false });
      if (updated === null) throw new ApiError('SW_ERR_DEVICE_NOT_FOUND', `Device '${device.controllerId}' vanished.`);
      const version = versionFromAttributes(data);
      if (version !== null) updated = await service.reportVersion(updated, version, 'configData');
      return updated;
    },

    async reportVersion(device, version, source) {
      let current = device;
      if (!sameVersion(device.runningVersion, version)) {
        const d = await ctx.store.updateDevice(device.tenant, device.controllerId, { runningVersion: version, previousVersion: device.runningVersion });
        if (d !== null) current = d;
        await audit(ctx, device.tenant, `device:${device.controllerId}`, 'device.version-reported', `device:${device.controllerId}`, { version, previous: device.runningVersion, source });
      }
      await actions.versionReported(current, version);
      return (await ctx.store.getDevice(device.tenant, device.controllerId)) ?? current;
    },
  };
  return service;
}
