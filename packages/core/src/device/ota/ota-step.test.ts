import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createOtaState, otaStep, otaWantsSlot, type OtaEffect, type OtaState } from './ota-step.js';
import type { DdiRequest, DdiResult } from './ddi.js';

const image = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 7) & 0xff);
const sha = createHash('sha256').update(image).digest('hex');
const boot = { runningVersion: '1.0.0', confirmed: true, savedAction: null };

/** Answers the reducer's DDI requests from a fixed deployment until it yields or reboots. */
function serve(s0: OtaState, host: 'IDLE' | 'WAIT', opts: { sha256?: string; size?: number; hash?: (len: number) => string; bufferEmpty?: boolean } = {}) {
  const all: OtaEffect[] = [];
  let [s, effects] = otaStep(s0, { type: 'ota.slot', atMs: 1000, host, bufferEmpty: opts.bufferEmpty ?? true });
  for (let guard = 0; guard < 100; guard++) {
    all.push(...effects);
    const req = effects.find((e): e is Extract<OtaEffect, { type: 'ddi.request' }> => e.type === 'ddi.request')?.request;
    const hash = effects.find((e) => e.type === 'flash.hash');
    if (req !== undefined) [s, effects] = otaStep(s, { type: 'ota.ddi.result', atMs: 1000, result: answer(req, opts) });
    else if (hash !== undefined && hash.type === 'flash.hash') [s, effects] = otaStep(s, { type: 'ota.hash.done', atMs: 1000, sha256: opts.hash?.(hash.length) ?? sha });
    else break;
  }
  return { s, all };
}

function answer(req: DdiRequest, opts: { sha256?: string; size?: number }): DdiResult {
  switch (req.kind) {
    case 'poll':
      return { ok: true, answer: { kind: 'poll', sleepMs: 0, deploymentBase: '/d/1' } };
    case 'deploymentBase':
      return { ok: true, answer: { kind: 'deploymentBase', deployment: { actionId: '1', version: '2.0.0', sizeBytes: opts.size ?? image.length, sha256: opts.sha256 ?? sha, downloadHref: '/a' } } };
    case 'download':
      return { ok: true, answer: { kind: 'download', bytes: image.slice(req.fromByte, req.toByte + 1) } };
    default:
      return { ok: true, answer: { kind: 'ack' } };
  }
}

test('IDLE only checks; the download happens in WAIT with progressive sector erases', () => {
  const s0 = createOtaState(boot, { chunkBytes: 4096, eraseSizeBytes: 8192 });
  const idle = serve(s0, 'IDLE');
  assert.equal(idle.s.ctx.update_available, true);
  assert.ok(!idle.all.some((e) => e.type === 'flash.write'));
  assert.equal(otaWantsSlot(idle.s, 'IDLE', true, 2000), false);
  assert.equal(otaWantsSlot(idle.s, 'WAIT', true, 2000), true);
  const wait = serve(idle.s, 'WAIT');
  const erases = wait.all.flatMap((e) => (e.type === 'flash.erase' ? [[e.offset, e.length]] : []));
  assert.deepEqual(erases, [[0, 8192], [8192, 8192]]);
  const writes = wait.all.flatMap((e) => (e.type === 'flash.write' ? [[e.offset, e.bytes.length]] : []));
  assert.deepEqual(writes, [[0, 4096], [4096, 4096], [8192, 1808]]);
  assert.deepEqual(wait.all.filter((e) => e.type === 'boot.request_test' || e.type === 'device.reboot').map((e) => e.type), ['boot.request_test', 'device.reboot']);
  assert.equal(wait.all.filter((e) => e.type === 'log').length, 3, 'download started, completed, upgrade requested');
});

test('a SHA-256 mismatch discards the download, logs one ERR and restarts from 0 later', () => {
  const idle = serve(createOtaState(boot), 'IDLE');
  const bad = serve(idle.s, 'WAIT', { hash: () => '0'.repeat(64) });
  assert.equal(bad.s.ctx.bytes_written, 0);
  assert.equal(bad.s.ctx.ota_retry_count, 1);
  const errs = bad.all.filter((e) => e.type === 'log' && e.entry.level === 'err');
  assert.deepEqual(errs.map((e) => e.type === 'log' && e.entry.message), ['OTA error -138, retry 0, wait 10000 ms']);
  assert.ok(!bad.all.some((e) => e.type === 'boot.request_test'));
  assert.equal(otaWantsSlot(bad.s, 'WAIT', true, 1000 + 9_999), false, 'backoff holds');
  assert.equal(otaWantsSlot(bad.s, 'WAIT', true, 1000 + 10_000), true);
});

test('an image larger than the slot is refused with -ENOSPC', () => {
  const r = serve(createOtaState(boot, { slotSizeBytes: 5000 }), 'IDLE');
  assert.equal(r.s.ctx.update_available, false);
  assert.ok(r.all.some((e) => e.type === 'log' && e.entry.message.startsWith('OTA error -28')));
});

test('no upgrade request with samples in the buffer', () => {
  const idle = serve(createOtaState(boot), 'IDLE');
  const busy = serve(idle.s, 'WAIT', { bufferEmpty: false });
  assert.equal(busy.s.verified, true, 'the download itself may proceed');
  assert.ok(!busy.all.some((e) => e.type === 'boot.request_test' || e.type === 'device.reboot'));
  assert.equal(otaWantsSlot(busy.s, 'WAIT', false, 5000), false);
  assert.equal(otaWantsSlot(busy.s, 'IDLE', true, 5000), true);
  const [, effects] = otaStep(busy.s, { type: 'ota.slot', atMs: 5000, host: 'IDLE', bufferEmpty: true });
  assert.deepEqual(effects.map((e) => e.type), ['boot.request_test', 'settings.save', 'log', 'device.reboot']);
});

test('snapshots are plain JSON', () => {
  const idle = serve(createOtaState(boot), 'IDLE');
  assert.deepEqual(JSON.parse(JSON.stringify(idle.s)), idle.s);
});

test('a cancel of the action already handed to MCUboot is refused; any other cancel stops the download', () => {
  const idle = serve(createOtaState(boot), 'IDLE');
  const poll = (s: OtaState, cancelHref: string) => {
    const due: OtaState = { ...s, ctx: { ...s.ctx, next_check_at_ms: 0 } };
    const [a] = otaStep(due, { type: 'ota.slot', atMs: 2000, host: 'IDLE', bufferEmpty: true });
    return otaStep(a, { type: 'ota.ddi.result', atMs: 2000, result: { ok: true, answer: { kind: 'poll', sleepMs: 0, cancelAction: cancelHref } } });
  };
  const [stopped, e1] = poll(idle.s, '/x/cancelAction/1');
  assert.equal(stopped.ctx.update_available, false);
  assert.deepEqual(e1.find((e) => e.type === 'ddi.request'), { type: 'ddi.request', request: { kind: 'cancelFeedback', href: '/x/cancelAction/1', finished: 'success' } });
  const installed: OtaState = { ...idle.s, saved: { actionId: '1', version: '2.0.0' } };
  const [, e2] = poll(installed, '/x/cancelAction/1');
  assert.deepEqual(e2.find((e) => e.type === 'ddi.request'), { type: 'ddi.request', request: { kind: 'cancelFeedback', href: '/x/cancelAction/1', finished: 'failure' } });
});

/** Polls once from IDLE with a `sleepMs` answer and the given draw; returns next_check_at_ms. */
function nextCheck(checkJitter: number, draw: number | undefined): number {
  let [s] = otaStep(createOtaState(boot, { checkJitter }), { type: 'ota.slot', atMs: 1000, host: 'IDLE', bufferEmpty: true });
  [s] = otaStep(s, { type: 'ota.ddi.result', atMs: 1000, result: { ok: true, answer: { kind: 'poll', sleepMs: 600_000 } }, ...(draw === undefined ? {} : { draw }) });
  return s.ctx.next_check_at_ms;
}

test('G7 check jitter: off by default (draws ignored); on, the next check is the interval ± the fraction, by the draw', () => {
  assert.equal(nextCheck(0, 0), 601_000);
  assert.equal(nextCheck(0, 0.99), 601_000);
  assert.equal(nextCheck(0.1, 0), 1000 + 540_000);
  assert.equal(nextCheck(0.1, 0.5), 1000 + 600_000);
  assert.equal(nextCheck(0.1, 0.75), 1000 + 630_000);
  assert.throws(() => createOtaState(boot, { checkJitter: 1 }), RangeError);
});

test('health confirm waits for confirmAfterUptimeMs: a delivery before it does not confirm, the first one after it does', () => {
  const s0 = createOtaState({ runningVersion: '2.0.0', confirmed: false, savedAction: { actionId: '1', version: '2.0.0' } }, { confirmAfterUptimeMs: 62_000 });
  const [early, e1] = otaStep(s0, { type: 'app.delivered', atMs: 61_999 });
  assert.equal(early.confirmed, false);
  assert.deepEqual(e1, []);
  const [late, e2] = otaStep(early, { type: 'app.delivered', atMs: 62_000 });
  assert.equal(late.confirmed, true);
  assert.ok(e2.some((e) => e.type === 'boot.confirm'));
});

test('resumeDownloads: a failed chunk resumes from bytes_written, or (off) restarts the image from byte 0', () => {
  for (const resume of [true, false]) {
    const idle = serve(createOtaState(boot, { chunkBytes: 4096, resumeDownloads: resume }), 'IDLE');
    let [s, effects] = otaStep(idle.s, { type: 'ota.slot', atMs: 2000, host: 'WAIT', bufferEmpty: true });
    const first = effects.find((e) => e.type === 'ddi.request');
    assert.ok(first?.type === 'ddi.request' && first.request.kind === 'download');
    [s] = otaStep(s, { type: 'ota.ddi.result', atMs: 2000, result: answer(first.request, {}) });
    assert.equal(s.ctx.bytes_written, 4096);
    [s, effects] = otaStep(s, { type: 'ota.ddi.result', atMs: 2100, result: { ok: false, err: -104 } });
    assert.ok(effects.some((e) => e.type === 'watchdog.feed'), 'a failure feeds the watchdog');
    assert.equal(s.ctx.bytes_written, resume ? 4096 : 0);
    assert.equal(s.erasedBytes, resume ? 4096 : 0);
  }
});
