/**
 * The device twin API: a simulated device posts its timeline and slot picture with its own
 * token; the management API serves them to the dashboard. Identity comes from the token only;
 * re-posts are idempotent; bad shapes are 400 with a code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHarness } from '../harness.js';
import { TIMELINE_KEEP } from '../../src/service/device-twin.js';

const slots = (atMs: number, primaryVersion: string) => ({
  atMs,
  mode: 'swap-scratch',
  sectorSizeBytes: 4096,
  runningVersion: primaryVersion,
  swap: atMs % 2 === 0 ? null : { swapType: 'test', sectorsDone: 3, sectorsTotal: 12 },
  slots: [
    { role: 'primary', sizeBytes: 131072, image: { version: primaryVersion, sizeBytes: 40960 }, trailer: { magic: 'good', swapType: 'test', copyDone: 'set', imageOk: 'unset' }, usedSectors: 11, sectorCount: 32 },
    { role: 'secondary', sizeBytes: 131072, image: null, trailer: null, usedSectors: 0, sectorCount: 32 },
    { role: 'scratch', sizeBytes: 16384, image: null, trailer: null, usedSectors: 1, sectorCount: 4 },
  ],
});

test('twin: a device posts events and slots with its token; admin reads the timeline and the latest slots', async () => {
  const h = await createHarness();
  try {
    const reg = await h.admin('POST', '/api/v1/devices', { controllerId: 'sim-1' });
    const token = (reg.json() as { token: string }).token;
    await h.admin('POST', '/api/v1/devices', { controllerId: 'sim-2' });
    const post = (body: unknown) => h.app.inject({ method: 'POST', url: '/api/v1/twin', headers: { authorization: `TargetToken ${token}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });

    const bootDetails = { outcome: 'ok', swapType: 'revert', version: '1.1.0', events: [{ kind: 'decision', swapType: 'revert', row: 3, meaning: 'image_ok unset after a test boot' }] };
    const first = await post({
      events: [
        { seq: 1, atMs: 1_000, kind: 'app', title: 'IDLE → SAMPLE' },
        { seq: 2, atMs: 2_000, kind: 'boot', title: 'MCUboot reverted to 1.1.0', details: bootDetails },
      ],
      slots: slots(3, '1.2.0'),
    });
    assert.equal(first.statusCode, 200, first.body);
    assert.deepEqual(first.json(), { accepted: 2, duplicates: 0 });
    const again = await post({ events: [{ seq: 2, atMs: 2_000, kind: 'boot', title: 'MCUboot reverted to 1.1.0', details: bootDetails }, { seq: 3, atMs: 3_000, kind: 'ota', title: 'Download started' }], slots: slots(2, '1.1.0') });
    assert.deepEqual(again.json(), { accepted: 1, duplicates: 1 });

    const tl = await h.admin('GET', '/api/v1/devices/sim-1/timeline');
    assert.equal(tl.statusCode, 200, tl.body);
    const body = tl.json() as { device: string; events: { seq: number; kind: string; title: string; details: Record<string, unknown> }[] };
    assert.equal(body.device, 'sim-1');
    assert.deepEqual(body.events.map((e) => e.seq), [1, 2, 3]);
    assert.deepEqual(body.events[1]?.details, bootDetails, 'the boot decision path survives as data');
    assert.deepEqual(((await h.admin('GET', '/api/v1/devices/sim-1/timeline?after=2')).json() as typeof body).events.map((e) => e.seq), [3]);
    assert.deepEqual(((await h.admin('GET', '/api/v1/devices/sim-2/timeline')).json() as typeof body).events, [], 'the token decided the device, not the body');

    const s = await h.admin('GET', '/api/v1/devices/sim-1/slots');
    assert.equal(s.statusCode, 200, s.body);
    const sb = s.json() as { slots: { atMs: number; runningVersion: string; swap: unknown; slots: { role: string; trailer: unknown }[]; receivedMs: number } };
    assert.equal(sb.slots.atMs, 3, 'the older picture (atMs 2) posted later did not replace the newer one');
    assert.equal(sb.slots.runningVersion, '1.2.0');
    assert.deepEqual(sb.slots.swap, { swapType: 'test', sectorsDone: 3, sectorsTotal: 12 });
    assert.deepEqual(sb.slots.slots.map((x) => x.role), ['primary', 'secondary', 'scratch']);
    assert.equal(sb.slots.receivedMs, h.clock.nowMs());
    assert.deepEqual((await h.admin('GET', '/api/v1/devices/sim-2/slots')).json(), { device: 'sim-2', slots: null });
  } finally {
    await h.close();
  }
});

test('twin: unknown device 404, bad event kind and bad slot shapes 400, timeline limit keeps the newest', async () => {
  const h = await createHarness();
  try {
    const token = ((await h.admin('POST', '/api/v1/devices', { controllerId: 'sim-1' })).json() as { token: string }).token;
    const post = (body: unknown) => h.app.inject({ method: 'POST', url: '/api/v1/twin', headers: { authorization: `TargetToken ${token}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
    const missing = await h.admin('GET', '/api/v1/devices/nope/timeline');
    assert.equal(missing.statusCode, 404);
    assert.equal((missing.json() as { code: string }).code, 'SW_ERR_DEVICE_NOT_FOUND');
    assert.equal((await h.admin('GET', '/api/v1/devices/nope/slots')).statusCode, 404);

    for (const bad of [
      { events: [{ seq: 1, atMs: 1, kind: 'gossip', title: 'x' }] },
      { events: [{ seq: -1, atMs: 1, kind: 'app', title: 'x' }] },
      { events: [{ seq: 1, atMs: 1, kind: 'app', title: '' }] },
      { slots: { ...slots(1, '1.0.0'), slots: [{ role: 'tertiary', sizeBytes: 1, image: null, trailer: null, usedSectors: 0, sectorCount: 1 }] } },
      { slots: { ...slots(1, '1.0.0'), swap: { swapType: 'test', sectorsDone: -1, sectorsTotal: 2 } } },
    ]) {
      const res = await post(bad);
      assert.equal(res.statusCode, 400, JSON.stringify(bad));
      assert.equal((res.json() as { code: string }).code, 'SW_ERR_REQUEST_INVALID');
    }
    assert.deepEqual((await h.admin('GET', '/api/v1/devices/sim-1/timeline')).json(), { device: 'sim-1', events: [] }, 'nothing half-written');

    await post({ events: Array.from({ length: 30 }, (_, i) => ({ seq: i, atMs: 1000 + i, kind: 'app', title: `t${i}` })) });
    const last = (await h.admin('GET', '/api/v1/devices/sim-1/timeline?limit=5')).json() as { events: { seq: number }[] };
    assert.deepEqual(last.events.map((e) => e.seq), [25, 26, 27, 28, 29]);
  } finally {
    await h.close();
  }
});

test('twin: retention keeps each device\'s newest TIMELINE_KEEP sequence numbers, other devices untouched', async () => {
  const h = await createHarness();
  try {
    const tokenOf = async (id: string): Promise<string> => ((await h.admin('POST', '/api/v1/devices', { controllerId: id })).json() as { token: string }).token;
    const [a, b] = [await tokenOf('sim-a'), await tokenOf('sim-b')];
    const post = (token: string, seqs: number[]) =>
      h.app.inject({ method: 'POST', url: '/api/v1/twin', headers: { authorization: `TargetToken ${token}`, 'content-type': 'application/json' }, payload: JSON.stringify({ events: seqs.map((seq) => ({ seq, atMs: seq, kind: 'app', title: `e${seq}` })) }) });
    assert.equal((await post(a, [1, 2, 3])).statusCode, 200);
    assert.equal((await post(b, [1, 2])).statusCode, 200);
    assert.equal((await post(a, [TIMELINE_KEEP + 2])).statusCode, 200);
    const seqs = async (id: string) => ((await h.admin('GET', `/api/v1/devices/${id}/timeline`)).json() as { events: { seq: number }[] }).events.map((e) => e.seq);
    assert.deepEqual(await seqs('sim-a'), [3, TIMELINE_KEEP + 2], 'seq 1 and 2 fell out of the window');
    assert.deepEqual(await seqs('sim-b'), [1, 2]);
  } finally {
    await h.close();
  }
});
