/**
 * @module protocol/telemetry
 * The device's sample record and the server's answers (spec/device.md G9–G11):
 * `POST /api/v1/samples` with one record or an array, identity from the device token
 * (`Authorization: TargetToken …`). Delivery is at-least-once: the server de-duplicates on
 * (device, boot_id, timestamp_ms), so a retried record is acknowledged again but stored once,
 * while uptime stamps that restart at every boot (G22) stay apart by their boot id.
 */

/** One sample: temperature in milli-degrees Celsius, device uptime/epoch time in ms. */
export interface SampleRecord {
  temp: number;
  timestamp_ms: number;
  /** G22: identifies the boot the uptime stamp belongs to; absent (old clients) counts as 0. */
  boot_id?: number;
  device_id?: string;
}

export interface SamplesAccepted {
  accepted: number;
  duplicates: number;
}

export interface SamplePoint {
  temp: number;
  timestamp_ms: number;
  boot_id: number;
  received_ms: number;
}

export interface SampleSeries {
  device: string;
  samples: SamplePoint[];
}

export const SAMPLES_PATH = '/api/v1/samples';
