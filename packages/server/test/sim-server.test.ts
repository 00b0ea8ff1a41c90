/**
 * The simulation server: a device talks to it through the inject transport, with virtual time
 * and a seed; two servers built with the same seed answer the same request sequence with the
 * same bytes (tokens, jittered sleeps, action ids).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock } from '@slotwise/core';
import { parseSleep } from '@slotwise/core/protocol/ddi';
import { createSimulationServer } from '../src/sim-server.js';

async function scenario(seed: number): Promise<string[]> {
  const clock = createManualClock(Date.UTC(2026, 10, 27));
  const sim = await createSimulationServer({ clock, seed });
  const log: string[] = [];
  try {
    const admin = { authorization: `Bearer ${sim.adminKey}`, 'content-type': 'application/json' };
    await sim.transport.request({ method: 'PUT', url: '/api/v1/tenants/DEFAULT', headers: admin, body: JSON.stringify({ pollJitterPct: 25 }) });
    const reg = await sim.transport.request({ method: 'POST', url: '/api/v1/devices', headers: admin, body: JSON.stringify({ controllerId: 'sim-1', runningVersion: '1.0.0' }) });
    const token = (JSON.parse(new TextDecoder().decode(reg.body)) as { token: string }).token;
    log.push(token);
    const art = await sim.transport.request({ method: 'POST', url: '/api/v1/artifacts?filename=fw.bin', headers: { ...admin, 'content-type': 'application/octet-stream' }, body: new Uint8Array(1000).fill(9) });
    const sha256 = (JSON.parse(new TextDecoder().decode(art.body)) as { sha256: string }).sha256;
    const rel = await sim.transport.request({ method: 'POST', url: '/api/v1/releases', headers: admin, body: JSON.stringify({ name: 'fw', version: '2.0.0', artifacts: [{ sha256 }] }) });
    const releaseId = (JSON.parse(new TextDecoder().decode(rel.body)) as { id: number }).id;
    await sim.transport.request({ method: 'POST', url: '/api/v1/deployments', headers: admin, body: JSON.stringify({ controllerId: 'sim-1', releaseId, timeoutMs: 60_000 }) });
    for (let i = 0; i < 3; i++) {
      clock.advanceBy(10_000);
      const poll = await sim.transport.request({ method: 'GET', url: 'http://anything:1/DEFAULT/controller/v1/sim-1', headers: { authorization: `TargetToken ${token}` } });
      assert.equal(poll.status, 200);
      const body = new TextDecoder().decode(poll.body);
      const sleep = (JSON.parse(body) as { config: { polling: { sleep: string } } }).config.polling.sleep;
      assert.ok((parseSleep(sleep) ?? 0) >= 225 && (parseSleep(sleep) ?? 0) <= 375);
      log.push(body);
    }
    clock.advanceBy(60_000);
    assert.equal(await sim.sweep(), 1, 'virtual time drives the deadline');
  } finally {
    await sim.close();
  }
  return log;
}

test('simulation server: same seed, same answers; another seed, other tokens', async () => {
  const a = await scenario(11);
  const b = await scenario(11);
  const c = await scenario(12);
  assert.deepEqual(a, b);
  assert.notEqual(a[0], c[0]);
});
