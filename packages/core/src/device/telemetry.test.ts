import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HttpRequest, Transport } from '../protocol/transport.js';
import { createHttpSampleSink } from './telemetry.js';

function transport(status: number | 'reject', seen: HttpRequest[] = []): Transport {
  return {
    async request(req) {
      seen.push(req);
      if (status === 'reject') throw new Error('ECONNREFUSED');
      return { status, headers: {}, body: new Uint8Array() };
    },
  };
}

test('a record is POSTed as {"temp", "timestamp_ms"} with the target token; statuses map to errnos', async () => {
  const seen: HttpRequest[] = [];
  assert.equal(await createHttpSampleSink({ transport: transport(200, seen), token: 't', deviceId: 'd1' }).post({ temp_mdeg: 23125, timestamp_ms: 500 }), 0);
  assert.equal(seen[0]?.url, '/api/v1/samples');
  assert.equal(seen[0]?.headers?.['authorization'], 'TargetToken t');
  assert.deepEqual(JSON.parse(String(seen[0]?.body)), { temp: 23125, timestamp_ms: 500, device_id: 'd1' });
  await createHttpSampleSink({ transport: transport(200, seen), token: 't' }).post({ temp_mdeg: 23125, timestamp_ms: 500 }, 7);
  assert.deepEqual(JSON.parse(String(seen[1]?.body)), { temp: 23125, timestamp_ms: 500, boot_id: 7 }, 'G22: the boot id rides along');
  const rec = { temp_mdeg: 1, timestamp_ms: 2 };
  assert.equal(await createHttpSampleSink({ transport: transport(201), token: 't' }).post(rec), 0);
  assert.equal(await createHttpSampleSink({ transport: transport(401), token: 't' }).post(rec), -13);
  assert.equal(await createHttpSampleSink({ transport: transport(503), token: 't' }).post(rec), -5);
  assert.equal(await createHttpSampleSink({ transport: transport('reject'), token: 't' }).post(rec), -111);
});
