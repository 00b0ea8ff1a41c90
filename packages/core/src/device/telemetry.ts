/**
 * @module device/telemetry
 * Where SEND delivers a record (device.md §9, G9–G11): a `SampleSink` port answering 0 or a
 * negative errno, and its HTTP implementation `POST /api/v1/samples` with the series' body
 * `{"temp": <m°C>, "timestamp_ms": <ms>, "boot_id": <n>}` over the protocol Transport port, authenticated with
 * the device's target token. Any 2xx is success; 401/403 → -EACCES; other statuses → -EIO;
 * no connection → -ECONNREFUSED (G10: real HTTP framing, status read and mapped).
 */
import { SAMPLES_PATH, type SampleRecord as WireSample } from '../protocol/telemetry.js';
import type { Transport } from '../protocol/transport.js';
import { Errno } from './errno.js';
import type { SampleRecord } from './sample-buffer.js';

export interface SampleSink {
  /**
   * Delivers one record; 0 on success or a negative errno. `bootId` names the boot whose uptime
   * stamped it (G22): RAM-buffered records never outlive their boot, so it is the current one.
   */
  post(record: SampleRecord, bootId?: number): Promise<number>;
}

export interface HttpSampleSinkConfig {
  readonly transport: Transport;
  readonly token: string;
  /** G17: optional identity in the body (the token already identifies the device). */
  readonly deviceId?: string;
}

export function createHttpSampleSink(config: HttpSampleSinkConfig): SampleSink {
  return {
    async post(record, bootId) {
      const body: WireSample = { temp: record.temp_mdeg, timestamp_ms: record.timestamp_ms, ...(bootId === undefined ? {} : { boot_id: bootId }), ...(config.deviceId === undefined ? {} : { device_id: config.deviceId }) };
      let status: number;
      try {
        status = (
          await config.transport.request({
            method: 'POST',
            url: SAMPLES_PATH,
            headers: { authorization: `TargetToken ${config.token}`, 'content-type': 'application/json' },
            body: JSON.stringify(body),
          })
        ).status;
      } catch {
        return -Errno.ECONNREFUSED; // the Transport rejects only when there is no connection
      }
      if (status >= 200 && status < 300) return 0;
      return status === 401 || status === 403 ? -Errno.EACCES : -Errno.EIO;
    },
  };
}
