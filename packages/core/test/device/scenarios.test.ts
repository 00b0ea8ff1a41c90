/**
 * device.md §18 acceptance scenarios 1–5 on virtual time, with golden transcripts in golden/.
 * (Scenarios 6–7, OTA, are in ota-scenarios.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertGolden, createRig, messages } from './support.js';
import { formatUptime } from '../../src/device/log.js';
import { SAMPLE_BUFFER_SIZE } from '../../src/device/sample-buffer.js';

test('scenario 1: clean boot — one INF line per transition, one record delivered per cycle', async () => {
  const rig = createRig();
  rig.driver.start();
  await rig.driver.runUntil(125_000);
  assertGolden('s1-clean-boot.log', rig.text());
  assert.deepEqual(messages(rig.text()).slice(1, 7), [
    '<inf> app: State: BOOT -> SENSOR_INIT',
    '<inf> app: State: SENSOR_INIT -> NET_INIT',
    '<inf> app: State: NET_INIT -> IDLE',
    '<inf> app: State: IDLE -> SAMPLE',
    '<inf> app: State: SAMPLE -> SEND',
    '<inf> app: State: SEND -> WAIT',
  ]);
  // Three cycles started (t≈0.5 s, 60.9 s, 121.3 s): three records, each delivered once.
  assert.deepEqual(rig.driver.delivered.map((r) => r.temp_mdeg), [23125, 23125, 23125]);
  assert.equal(rig.driver.state?.app.samples.count, 0);
});

test('scenario 2: a sensor read failure recovers at SENSOR_INIT after 10 s', async () => {
  // The read at the second cycle (t≈60.87 s) fails; init reads only ID registers and succeeds.
  const rig = createRig({ faults: [{ fault: { kind: 'sensor.read_error' }, fromMs: 60_000, untilMs: 61_000 }] });
  rig.driver.start();
  await rig.driver.runUntil(72_000);
  assertGolden('s2-sensor-read-failure.log', rig.text());
  const m = messages(rig.text());
  const i = m.indexOf('<err> app: Error -5, retry 0, wait 10000 ms, recover to SENSOR_INIT');
  assert.ok(i > 0, 'one ERR line naming SENSOR_INIT');
  assert.deepEqual(m.slice(i - 1, i + 7), [
    '<inf> app: State: SAMPLE -> ERROR',
    '<err> app: Error -5, retry 0, wait 10000 ms, recover to SENSOR_INIT',
    '<inf> app: State: ERROR -> WAIT',
    '<inf> app: State: WAIT -> SENSOR_INIT',
    '<inf> app: State: SENSOR_INIT -> NET_INIT',
    '<inf> app: State: NET_INIT -> IDLE',
    '<inf> app: State: IDLE -> SAMPLE',
    '<inf> app: State: SAMPLE -> SEND',
  ]);
  assert.equal(m.filter((l) => l.startsWith('<err>')).length, 1);
});

test('scenario 3: send failures back off 10,10,10,60,60,60,300 s; the queue drains oldest-first', async () => {
  // The server answers 5xx from t=30 s to t=800 s; net_init keeps succeeding.
  const rig = createRig({ faults: [{ fault: { kind: 'http.5xx' }, fromMs: 30_000, untilMs: 800_000 }] });
  const retryAfterDrain: number[] = [];
  rig.driver.observe((before, event, after) => {
    if (event.type === 'http.send.done' && event.err === 0 && before.app.retry_count > 0) retryAfterDrain.push(after.app.retry_count);
  });
  rig.driver.start();
  await rig.driver.runUntil(900_000);
  assertGolden('s3-send-failures.log', rig.text());
  const waits = messages(rig.text())
    .filter((l) => l.startsWith('<err>'))
    .map((l) => Number(/wait (\d+) ms/.exec(l)?.[1]));
  assert.deepEqual(waits, [10_000, 10_000, 10_000, 60_000, 60_000, 60_000, 300_000, 300_000]);
  // Each failed cycle sampled once: 8 failures → 8 queued records, delivered oldest first.
  const ts = rig.driver.delivered.map((r) => r.timestamp_ms);
  assert.deepEqual(ts, [...ts].sort((a, b) => a - b));
  assert.equal(rig.driver.delivered.length, 1 + 8 + 1);
  assert.deepEqual(retryAfterDrain, [0], 'retry_count back to 0 after the first success');
  // The drain is one record per 50 ms tick, with no state change in between.
  const drain = rig.driver.logs.filter((r) => r.kind === 'log' && r.simMs > 800_000);
  assert.ok(drain.length > 0);
});

test('scenario 4: a long outage fills the buffer after 7 710 s of waits, then drops oldest with a WRN line', async () => {
  const rig = createRig({ faults: [{ fault: { kind: 'http.5xx' }, fromMs: 30_000, untilMs: Infinity }] });
  let fullAtMs = -1;
  let firstFailAtMs = -1;
  rig.driver.observe((before, event, after) => {
    if (event.type === 'http.send.done' && event.err !== 0 && firstFailAtMs < 0) firstFailAtMs = event.atMs;
    if (before.app.samples.count === SAMPLE_BUFFER_SIZE - 1 && after.app.samples.count === SAMPLE_BUFFER_SIZE) fullAtMs = event.atMs;
  });
  rig.driver.start();
  await rig.driver.runUntil(9_000_000);
  const records = rig.driver.logs.filter((r) => r.kind === 'log');
  const warns = records.filter((r) => r.level === 'wrn');
  assert.ok(warns.every((w) => w.message === 'Sample buffer full, dropping oldest'));
  // 31 waits (3×10 + 3×60 + 25×300 s) plus ~8 short ticks/exchanges per cycle.
  const waited = fullAtMs - firstFailAtMs;
  assert.ok(waited >= 7_710_000 && waited < 7_710_000 + 31 * 1_000, `buffer full after ${waited} ms`);
  assert.equal(rig.driver.state?.app.samples.count, SAMPLE_BUFFER_SIZE);
  // The first drop is on the 33rd push, one 300 s wait later; one WRN per dropped record.
  const firstWarn = warns[0]!;
  assert.ok(firstWarn.atMs - fullAtMs >= 300_000 && firstWarn.atMs - fullAtMs < 301_000);
  const pushes = records.filter((r) => r.message === 'State: SAMPLE -> SEND').length;
  assert.equal(warns.length, pushes - 1 - SAMPLE_BUFFER_SIZE); // minus the first (delivered) sample
  // Golden excerpt: from the push that fills the buffer to the second dropped record.
  const lines = rig.text().split('\n');
  const stamp = (ms: number): string => formatUptime(ms);
  const from = lines.findIndex((l) => l.startsWith(`[${stamp(fullAtMs)}]`));
  const wrn = lines.map((l, i) => (l.includes('<wrn>') ? i : -1)).filter((i) => i >= 0);
  assertGolden('s4-long-outage-excerpt.log', lines.slice(from - 1, wrn[1]! + 2).join('\n'));
});

test('scenario 5: long WAITs suspend the radio between enter/exit lines; nothing else sleeps', async () => {
  const rig = createRig({ faults: [{ fault: { kind: 'http.5xx' }, fromMs: 30_000, untilMs: 400_000 }] });
  const sleepStates = new Set<string>();
  let suspendedOutsideWait = false;
  rig.driver.observe((before, _e, _a, effects) => {
    for (const f of effects) {
      if (f.type === 'timer.start' && f.timer === 'sleep') sleepStates.add(before.app.state);
      if ((f.type === 'net.suspend' || f.type === 'net.resume') && before.app.state !== 'WAIT') suspendedOutsideWait = true;
    }
  });
  rig.driver.start();
  await rig.driver.runUntil(700_000);
  assertGolden('s5-low-power-wait.log', rig.text());
  assert.deepEqual([...sleepStates], ['WAIT']);
  assert.equal(suspendedOutsideWait, false);
  const m = messages(rig.text());
  // Short (10 s) backoff waits keep the radio on: no enter/exit lines around them.
  const tenSecond = m.findIndex((l) => l.includes('wait 10000 ms'));
  assert.equal(m[tenSecond + 2], '<inf> app: State: WAIT -> NET_INIT');
  // Every low-power WAIT has its enter line, then exit, then the transition.
  m.forEach((l, i) => {
    if (l.startsWith('<inf> app: Entering low-power WAIT for ') && i + 1 < m.length) {
      assert.equal(m[i + 1], '<inf> app: Exiting low-power WAIT');
      assert.match(m[i + 2]!, /^<inf> app: State: WAIT -> /);
    }
  });
  assert.ok(m.includes('<inf> app: Entering low-power WAIT for 300s'));
});
