/**
 * @module protocol/telemetry
 * The device's sample record and the server's answers (spec/device.md G9–G11):
 * `POST /api/v1/samples` with one record or an array, identity from the device token
 * (`Authorization: TargetToken …`). Delivery is at-least-once: the server de-duplicates on
 * (device, timestamp_ms), so a retried record is acknowledged again but stored once.
 */

/** One sample: temperature in milli-degrees Celsius, device uptime/epoch time in ms. */
export interface SampleRecord {
  temp: number;
  timestamp_ms: number;
  device_id?: string;
}

export interface SamplesAccepted {
  accepted: number;
  duplicates: number;
}

export interface SamplePoint {
  temp: number;
  timestamp_ms: number;
  received_ms: number;
}

export interface SampleSeries {
  device: string;
  samples: SamplePoint[];
}

export const SAMPLES_PATH = '/api/v1/samples';
