/**
 * @module service/telemetry
 * Device samples (spec/device.md G9–G11): identity from the device token, at-least-once
 * delivery de-duplicated on (device, boot_id, timestamp_ms) — uptime stamps restart at every boot
 * (G22), a record without a boot id counts as boot 0 — server receive time stamped from the clock.
 */
import type { SampleRecord, SamplesAccepted, SampleSeries } from '@slotwise/core/protocol/telemetry';
import type { DeviceRecord } from '../store/store.js';
import type { ServiceContext } from './context.js';

export interface TelemetryService {
  ingest(device: DeviceRecord, records: readonly SampleRecord[]): Promise<SamplesAccepted>;
  series(tenant: string, controllerId: string, opts: { fromMs?: number; toMs?: number; limit?: number }): Promise<SampleSeries>;
}

export function createTelemetryService(ctx: ServiceContext): TelemetryService {
  return {
    async ingest(device, records) {
      const now = ctx.clock.nowMs();
      const r = await ctx.store.insertSamples(records.map((s) => ({ tenant: device.tenant, controllerId: device.controllerId, bootId: s.boot_id ?? 0, timestampMs: s.timestamp_ms, temp: s.temp, receivedMs: now })));
      return { accepted: r.inserted, duplicates: r.duplicates };
    },
    async series(tenant, controllerId, opts) {
      const rows = await ctx.store.listSamples(tenant, controllerId, opts);
      return { device: controllerId, samples: rows.map((r) => ({ temp: r.temp, timestamp_ms: r.timestampMs, boot_id: r.bootId, received_ms: r.receivedMs })) };
    },
  };
}
