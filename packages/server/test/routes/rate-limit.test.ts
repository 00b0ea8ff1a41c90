/**
 * DDI request budgets per client address (hawkBit's DoS filter): 429 with a code once a public
 * address exceeds its reads or writes per second; refilled as (virtual) time passes; private
 * addresses exempt.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHarness, seedRelease } from '../harness.js';
import { isPrivateAddress } from '../../src/http/rate-limit.js';

test('rate limit: reads and writes per second per public address; private ranges exempt', async () => {
  const h = await createHarness({ config: { rateLimit: { readsPerSec: 5, writesPerSec: 2, exemptPrivate: true } } });
  try {
    const { token } = await seedRelease(h);
    const auth = { authorization: `TargetToken ${token}` };
    const poll = (ip: string) => h.app.inject({ method: 'GET', url: '/DEFAULT/controller/v1/dev-1', headers: auth, remoteAddress: ip });
    const put = (ip: string) => h.app.inject({ method: 'PUT', url: '/DEFAULT/controller/v1/dev-1/configData', headers: { ...auth, 'content-type': 'application/json' }, payload: '{"data":{"a":"b"}}', remoteAddress: ip });
    for (let i = 0; i < 5; i++) assert.equal((await poll('203.0.113.9')).statusCode, 200);
    const limited = await poll('203.0.113.9');
    assert.equal(limited.statusCode, 429);
    assert.equal((limited.json() as { code: string }).code, 'SW_ERR_RATE_LIMITED');
    assert.equal((await poll('198.51.100.7')).statusCode, 200, 'budgets are per address');
    for (let i = 0; i < 20; i++) assert.equal((await poll('10.1.2.3')).statusCode, 200, 'private address exempt');
    assert.equal((await put('203.0.113.9')).statusCode, 200);
    assert.equal((await put('203.0.113.9')).statusCode, 200);
    assert.equal((await put('203.0.113.9')).statusCode, 429);
    h.clock.advanceBy(1000);
    assert.equal((await poll('203.0.113.9')).statusCode, 200, 'refilled after a second');
  } finally {
    await h.close();
  }
});

test('isPrivateAddress', () => {
  for (const ip of ['127.0.0.1', '10.0.0.1', '172.16.5.4', '172.31.255.1', '192.168.1.1', '::1', '::ffff:10.1.1.1', 'fd00::1']) assert.equal(isPrivateAddress(ip), true, ip);
  for (const ip of ['8.8.8.8', '172.32.0.1', '203.0.113.9', '2001:db8::1', '::ffff:8.8.8.8']) assert.equal(isPrivateAddress(ip), false, ip);
});
