/**
 * @module service/device-twin
 * What simulated devices report about their insides: timeline events (idempotent on the
 * device's own sequence number) and the latest flash slot picture (a late, older picture never
 * replaces a newer one). Identity always comes from the caller's device token, never the body.
 * Retention is bounded: a device keeps its newest TIMELINE_KEEP sequence numbers (a demo left
 * running for days would otherwise grow the table without end; the Device page shows 500).
 */
import type { DeviceRecord } from '../store/store.js';
import type { ServiceContext } from './context.js';

export interface TwinEventIn {
  seq: number;
  atMs: number;
  kind: string;
  title: string;
  details?: Record<string, unknown>;
}

export interface TwinEventOut {
  seq: number;
  atMs: number;
  kind: string;
  title: string;
  details: Record<string, unknown>;
  receivedMs: number;
}

export interface DeviceTwinService {
  report(device: DeviceRecord, input: { events?: readonly TwinEventIn[]; slots?: { atMs: number } & Record<string, unknown> }): Promise<{ accepted: number; duplicates: number }>;
  timeline(tenant: string, controllerId: string, opts: { afterSeq?: number; limit?: number }): Promise<TwinEventOut[]>;
  slots(tenant: string, controllerId: string): Promise<(Record<string, unknown> & { receivedMs: number }) | null>;
}

export const TIMELINE_KEEP = 5_000;

export function createDeviceTwinService(ctx: ServiceContext): DeviceTwinService {
  return {
    async report(device, input) {
      const now = ctx.clock.nowMs();
      const events = input.events ?? [];
      const r = await ctx.store.insertDeviceEvents(
        events.map((e) => ({ tenant: device.tenant, controllerId: device.controllerId, seq: e.seq, atMs: e.atMs, kind: e.kind, title: e.title, details: e.details ?? {}, receivedMs: now })),
      );
      const newest = events.reduce((m, e) => Math.max(m, e.seq), -1);
      // Sequence numbers are the device's own, dense: a range delete on the primary key.
      if (r.inserted > 0 && newest >= TIMELINE_KEEP) await ctx.store.trimDeviceEvents(device.tenant, device.controllerId, newest - TIMELINE_KEEP + 1);
      if (input.slots !== undefined) await ctx.store.putDeviceSlots({ tenant: device.tenant, controllerId: device.controllerId, atMs: input.slots.atMs, slots: input.slots, receivedMs: now });
      return { accepted: r.inserted, duplicates: r.duplicates };
    },
    async timeline(tenant, controllerId, opts) {
      const rows = await ctx.store.listDeviceEvents(tenant, controllerId, opts);
      return rows.map((r) => ({ seq: r.seq, atMs: r.atMs, kind: r.kind, title: r.title, details: r.details, receivedMs: r.receivedMs }));
    },
    async slots(tenant, controllerId) {
      const row = await ctx.store.getDeviceSlots(tenant, controllerId);
      return row === null ? null : { ...row.slots, receivedMs: row.receivedMs };
    },
  };
}
