import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { isSlotwiseError } from '../errors.js';
import { createRandom } from '../sim/random.js';
import { planRequest, planResponse, type LinkSpec } from './network.js';
import { parseScenario } from './scenario.js';
import { createTraceDigest } from './trace.js';

const examples = new URL('../../../../examples/', import.meta.url);
const happy = (): Record<string, unknown> => JSON.parse(readFileSync(new URL('happy-rollout.json', examples), 'utf8')) as Record<string, unknown>;

test('every example scenario parses', () => {
  const files = readdirSync(examples).filter((f) => f.endsWith('.json'));
  assert.ok(files.length >= 5);
  for (const f of files) assert.doesNotThrow(() => parseScenario(JSON.parse(readFileSync(new URL(f, examples), 'utf8'))), f);
});

test('a bad field is a SW_ERR_SIM_SCENARIO_INVALID naming its path', () => {
  const cases: Array<[(s: Record<string, unknown>) => void, RegExp]> = [
    [(s) => ((s['releases'] as Record<string, Record<string, unknown>>)['v2']!['version'] = '2.0'), /\$\.releases\.v2\.version: expected MAJOR/],
    [(s) => ((s['groups'] as Record<string, unknown>[])[0]!['profile'] = 'mender'), /\$\.groups\[0\]\.profile: expected one of slotwise, zephyr, swupdate, rauc/],
    [(s) => ((s['groups'] as Record<string, unknown>[])[0]!['network'] = 'lte'), /\$\.groups\[0\]\.network: no network named "lte"/],
    [(s) => ((s['operator'] as Record<string, unknown>[])[1]!['release'] = 'v9'), /\$\.operator\[1\]\.release: no release named "v9"/],
    [(s) => (s['devices'] = 0), /\$\.devices: expected an integer in \[1,/],
    [(s) => (s['colour'] = 'red'), /\$\.colour: unknown field/],
    [(s) => ((s['operator'] as unknown[]).push({ atMs: 1, op: 'pause', rollout: 'nope' })), /\$\.operator\[2\]\.rollout: no earlier rollout step named "nope"/],
    [(s) => ((s['networks'] as Record<string, Record<string, unknown>>)['wifi']!['lossRate'] = 2), /\$\.networks\.wifi\.lossRate: expected a number in \[0, 0\.99\]/],
    [(s) => ((s['groups'] as Record<string, unknown>[])[0]!['overrides'] = { persistProgress: true }), /\$\.groups\[0\]\.overrides\.persistProgress: the slotwise device keeps download progress in RAM only/],
  ];
  for (const [mutate, message] of cases) {
    const s = happy();
    mutate(s);
    assert.throws(() => parseScenario(s), (e: unknown) => isSlotwiseError(e, 'SW_ERR_SIM_SCENARIO_INVALID') && message.test(e.message), String(message));
  }
  assert.throws(() => parseScenario([]), /scenario \$: expected an object/);
});

test('the trace digest is 64-bit FNV-1a of the lines', () => {
  const reference = (lines: string[]): string => {
    let h = 0xcbf29ce484222325n;
    const mask = (1n << 64n) - 1n;
    const byte = (b: number): void => void (h = ((h ^ BigInt(b)) * 0x100000001b3n) & mask);
    for (const line of lines) {
      for (let i = 0; i < line.length; i++) {
        const c = line.charCodeAt(i);
        byte(c & 0xff);
        if (c > 0xff) byte(c >>> 8);
      }
      byte(0x0a);
    }
    return h.toString(16).padStart(16, '0');
  };
  fc.assert(
    fc.property(fc.array(fc.string({ unit: 'binary' }), { maxLength: 8 }), (lines) => {
      const d = createTraceDigest();
      for (const l of lines) d.add(l);
      assert.equal(d.hex(), reference(lines));
      assert.equal(d.lines, lines.length);
    }),
  );
});

const link = (o: Partial<LinkSpec> = {}): LinkSpec => ({ latencyMs: 50, jitterMs: 10, bytesPerSec: 10_000, lossRate: 0, dropsPerMiB: 0, timeoutMs: 30_000, outages: [], ...o });

test('a link never delivers more than was sent, never before it was sent, never after the deadline', () => {
  fc.assert(
    fc.property(fc.integer(), fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 1 << 20 }), fc.double({ min: 0, max: 200, noNaN: true }), (seed, at, bytes, drops) => {
      const l = link({ dropsPerMiB: drops, outages: [{ fromMs: 500_000, untilMs: 600_000 }] });
      const r = createRandom(seed);
      const req = planRequest(l, r, at, 100);
      assert.ok(req.atMs > at);
      if (req.kind === 'fails') {
        assert.equal(req.reason, 'outage');
        assert.ok(at >= 500_000 && at < 600_000);
        return;
      }
      const res = planResponse(l, r, at, req.atMs, bytes);
      assert.ok(res.deliveredBytes >= 0 && res.deliveredBytes <= bytes);
      assert.ok(res.atMs >= req.atMs && res.atMs <= at + l.timeoutMs);
      assert.equal(res.broken, res.deliveredBytes < bytes);
    }),
  );
});

test('loss, drops and the deadline are what the link says', () => {
  const r = createRandom(1);
  let lost = 0;
  for (let i = 0; i < 10_000; i++) if (planRequest(link({ lossRate: 0.1 }), r, 0, 0).kind === 'fails') lost++;
  assert.ok(lost > 850 && lost < 1150, `~10 % lost, got ${lost}`);
  let broken = 0;
  for (let i = 0; i < 2000; i++) if (planResponse(link({ dropsPerMiB: 1, bytesPerSec: 1e9 }), r, 0, 0, 1 << 20).broken) broken++;
  assert.ok(broken > 1150 && broken < 1380, `P(drop within 1 MiB at 1/MiB) = 1 - 1/e ≈ 63 %, got ${broken}/2000`);
  const slow = planResponse(link({ bytesPerSec: 1000, timeoutMs: 10_000 }), r, 0, 100, 100_000);
  assert.ok(slow.broken && slow.atMs === 10_000 && slow.deliveredBytes < 10_000);
});
