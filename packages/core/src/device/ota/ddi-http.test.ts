import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { HttpRequest, HttpResponse, Transport } from '../../protocol/transport.js';
import { createDdiHttpTransport } from './ddi-http.js';

const enc = (x: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(x));
const image = Uint8Array.from({ length: 10_000 }, (_, i) => i & 0xff);
const sha = createHash('sha256').update(image).digest('hex');

/** A tiny DDI server behind the Transport port, speaking HTTP shapes of hawkbit-ddi.md. */
function fakeHttp(overrides: { status?: number; ignoreRange?: boolean; body?: Uint8Array; reject?: boolean } = {}) {
  const seen: HttpRequest[] = [];
  const transport: Transport = {
    async request(req) {
      seen.push(req);
      if (overrides.reject === true) throw new Error('connect ECONNREFUSED');
      const reply = (status: number, body: Uint8Array): HttpResponse => ({ status: overrides.status ?? status, headers: {}, body: overrides.body ?? body });
      const url = req.url;
      if (req.headers?.['authorization'] !== 'TargetToken tok') return reply(401, new Uint8Array());
      if (url === '/DEFAULT/controller/v1/dev-1') {
        return reply(200, enc({ config: { polling: { sleep: '00:05:00' } }, _links: { deploymentBase: { href: 'http://h/DEFAULT/controller/v1/dev-1/deploymentBase/42?c=1' }, configData: { href: 'x' } } }));
      }
      if (url.includes('/deploymentBase/42?')) {
        return reply(200, enc({ id: '42', deployment: { download: 'forced', update: 'forced', chunks: [{ part: 'bApp', version: '2.0.0', name: 'fw', artifacts: [{ filename: 'fw.bin', size: image.length, hashes: { sha1: '', md5: '', sha256: sha.toUpperCase() }, _links: { 'download-http': { href: 'http://h/art/fw.bin' } } }] }] } }));
      }
      if (url === 'http://h/art/fw.bin') {
        const m = /bytes=(\d+)-(\d+)/.exec(req.headers?.['range'] ?? '');
        if (m === null || overrides.ignoreRange === true) return reply(200, image);
        return reply(206, image.slice(Number(m[1]), Number(m[2]) + 1));
      }
      if (url.endsWith('/feedback') || url.endsWith('/configData')) return reply(200, new Uint8Array());
      return reply(404, new Uint8Array());
    },
  };
  return { transport, seen };
}

const cfg = (transport: Transport) => ({ transport, tenant: 'DEFAULT', controllerId: 'dev-1', token: 'tok' });

test('poll, deploymentBase and Range downloads map onto the OTA task’s answers', async () => {
  const { transport, seen } = fakeHttp();
  const ddi = createDdiHttpTransport(cfg(transport));
  assert.deepEqual(await ddi.exchange({ kind: 'poll' }), {
    ok: true,
    answer: { kind: 'poll', sleepMs: 300_000, deploymentBase: 'http://h/DEFAULT/controller/v1/dev-1/deploymentBase/42?c=1', configData: true },
  });
  const dep = await ddi.exchange({ kind: 'deploymentBase', href: 'http://h/DEFAULT/controller/v1/dev-1/deploymentBase/42?c=1' });
  assert.deepEqual(dep, { ok: true, answer: { kind: 'deploymentBase', deployment: { actionId: '42', version: '2.0.0', sizeBytes: 10_000, sha256: sha, downloadHref: 'http://h/art/fw.bin' } } });
  const chunk = await ddi.exchange({ kind: 'download', href: 'http://h/art/fw.bin', fromByte: 4096, toByte: 8191 });
  assert.ok(chunk.ok && chunk.answer.kind === 'download');
  assert.deepEqual(chunk.answer.bytes, image.slice(4096, 8192));
  assert.equal(seen.at(-1)?.headers?.['range'], 'bytes=4096-8191');
});

test('a server that ignores Range still yields the right window', async () => {
  const ddi = createDdiHttpTransport(cfg(fakeHttp({ ignoreRange: true }).transport));
  const r = await ddi.exchange({ kind: 'download', href: 'http://h/art/fw.bin', fromByte: 100, toByte: 199 });
  assert.ok(r.ok && r.answer.kind === 'download');
  assert.deepEqual(r.answer.bytes, image.slice(100, 200));
});

test('feedback and configData bodies follow A.8 / A.9', async () => {
  const { transport, seen } = fakeHttp();
  const ddi = createDdiHttpTransport(cfg(transport));
  assert.deepEqual(await ddi.exchange({ kind: 'feedback', actionId: '42', execution: 'closed', finished: 'failure', details: ['rolled back to 1.0.0'] }), { ok: true, answer: { kind: 'ack' } });
  assert.equal(seen[0]?.url, '/DEFAULT/controller/v1/dev-1/deploymentBase/42/feedback');
  assert.deepEqual(JSON.parse(String(seen[0]?.body)), { status: { execution: 'closed', result: { finished: 'failure' }, details: ['rolled back to 1.0.0'] } });
  await ddi.exchange({ kind: 'configData', data: { fw_version: '1.0.0' } });
  assert.equal(seen[1]?.method, 'PUT');
  assert.deepEqual(JSON.parse(String(seen[1]?.body)), { mode: 'merge', data: { fw_version: '1.0.0' } });
});

test('failures become negative errnos', async () => {
  const poll = { kind: 'poll' } as const;
  assert.deepEqual(await createDdiHttpTransport(cfg(fakeHttp({ status: 503 }).transport)).exchange(poll), { ok: false, err: -5 });
  assert.deepEqual(await createDdiHttpTransport({ ...cfg(fakeHttp().transport), token: 'bad' }).exchange(poll), { ok: false, err: -13 });
  assert.deepEqual(await createDdiHttpTransport(cfg(fakeHttp({ reject: true }).transport)).exchange(poll), { ok: false, err: -111 });
  assert.deepEqual(await createDdiHttpTransport(cfg(fakeHttp({ body: new Uint8Array([0x7b, 0xff]) }).transport)).exchange(poll), { ok: false, err: -77 });
  const short = await createDdiHttpTransport(cfg(fakeHttp({ body: new Uint8Array(3), status: 206 }).transport)).exchange({ kind: 'download', href: 'http://h/art/fw.bin', fromByte: 0, toByte: 9 });
  assert.deepEqual(short, { ok: false, err: -77 });
});

test('a cancelAction link is surfaced; the cancel answer is POSTed to <href>/feedback', async () => {
  const seen: HttpRequest[] = [];
  const transport: Transport = {
    async request(req) {
      seen.push(req);
      if (req.method === 'GET') return { status: 200, headers: {}, body: enc({ config: { polling: { sleep: '00:00:30' } }, _links: { cancelAction: { href: 'http://h/DEFAULT/controller/v1/dev-1/cancelAction/42' } } }) };
      return { status: 200, headers: {}, body: new Uint8Array() };
    },
  };
  const ddi = createDdiHttpTransport(cfg(transport));
  assert.deepEqual(await ddi.exchange({ kind: 'poll' }), { ok: true, answer: { kind: 'poll', sleepMs: 30_000, cancelAction: 'http://h/DEFAULT/controller/v1/dev-1/cancelAction/42' } });
  assert.deepEqual(await ddi.exchange({ kind: 'cancelFeedback', href: 'http://h/DEFAULT/controller/v1/dev-1/cancelAction/42', finished: 'success' }), { ok: true, answer: { kind: 'ack' } });
  assert.equal(seen[1]?.url, 'http://h/DEFAULT/controller/v1/dev-1/cancelAction/42/feedback');
  assert.deepEqual(JSON.parse(String(seen[1]?.body)), { status: { execution: 'closed', result: { finished: 'success' } } });
});
