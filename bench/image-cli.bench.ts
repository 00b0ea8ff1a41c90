/**
 * Whole-process cost of `slotwise image sign` and `verify` on a 1 MiB payload (EC P-256 and
 * Ed25519), against a bare `node -e 0` measured in the same run: the floor any Node CLI pays.
 * Goal: within 1.3x of that floor (imgtool takes ~125 ms here). A bare CommonJS script doing
 * only the verification work (`floor`) shows the physical limit. Prints the median of several
 * runs of each. Needs `npm run build` first (it runs the built binary).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'packages/cli/dist/main.js');
// The single-file build from `npm run bundle` (scripts/bundle-cli.mjs), measured when present.
const bundle = join(root, 'packages/cli/dist/bundle/slotwise.mjs');
// The installed command: bin/slotwise.cjs runs `image` from the CommonJS build dist/image.cjs.
const installed = join(root, 'packages/cli/bin/slotwise.cjs');
const keys = join(root, '../shared/vectors/image/keys');
const RUNS = Number(process.env.BENCH_RUNS ?? 11);

if (!existsSync(cli)) {
  console.error(`image-cli bench: ${cli} is missing; run npm run build first`);
  process.exit(1);
}

const dir = mkdtempSync(join(tmpdir(), 'slotwise-bench-'));
const payload = join(dir, 'payload.bin');
writeFileSync(payload, Uint8Array.from({ length: 1 << 20 }, (_, i) => (7 * i + 3) & 0xff));

function timeMs(args: string[]): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
  return ms;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

// The physical floor of `verify`: a bare CommonJS script that reads the signed image, hashes
// the hashed region and checks the Ed25519 signature with node:crypto, nothing else.
const floorScript = join(dir, 'floor.cjs');
writeFileSync(
  floorScript,
  `const fs = require('fs'), c = require('crypto');
const img = fs.readFileSync(process.argv[2]);
const key = c.createPublicKey(fs.readFileSync(process.argv[3]));
const end = img.readUInt16LE(8) + img.readUInt32LE(12);
const digest = c.createHash('sha256').update(img.subarray(0, end)).digest();
const sig = img.subarray(end + 4 + 36 + 36 + 4, end + 4 + 36 + 36 + 4 + 64);
if (!c.verify(null, digest, key, sig)) process.exit(1);
`,
);

const cases: Array<{ name: string; args: string[] }> = [{ name: 'node -e 0', args: ['-e', '0'] }];
const entries: Array<[string, string]> = [['bin', installed], ['tsc', cli], ...(existsSync(bundle) ? [['bundle', bundle] as [string, string]] : [])];
for (const [build, entry] of entries) {
  for (const [label, key] of [['ec-p256', 'root-ec-p256.pem'], ['ed25519', 'root-ed25519.pem']] as const) {
    const out = join(dir, `${build}-${label}.bin`);
    const signArgs = [entry, 'image', 'sign', '-k', join(keys, key), '-v', '1.2.3', '-H', '0x200', '--pad-header', '-S', '0x200000', payload, out];
    cases.push({ name: `${build.padEnd(6)} sign   ${label}`, args: signArgs });
    timeMs(signArgs);
    cases.push({ name: `${build.padEnd(6)} verify ${label}`, args: [entry, 'image', 'verify', '-k', join(keys, key), out] });
  }
}

cases.push({ name: 'floor  verify ed25519', args: [floorScript, join(dir, 'tsc-ed25519.bin'), join(keys, 'root-ed25519-pub.pem')] });

// Interleave the cases run by run, so machine noise hits all of them alike.
const samples = new Map(cases.map((c) => [c.name, [] as number[]]));
for (const c of cases) timeMs(c.args); // warm the file cache
for (let run = 0; run < RUNS; run++) for (const c of cases) samples.get(c.name)?.push(timeMs(c.args));
rmSync(dir, { recursive: true, force: true });

const floor = median(samples.get('node -e 0') ?? []);
console.log(`whole-process runs, 1 MiB payload, median of ${RUNS} (goal: <= 1.3x node -e 0)`);
console.log('bin = packages/cli/bin/slotwise.cjs, the installed `slotwise` (image command from dist/image.cjs); tsc = packages/cli/dist/main.js (npm run build); bundle = packages/cli/dist/bundle/slotwise.mjs (npm run bundle)');
for (const c of cases) {
  const m = median(samples.get(c.name) ?? []);
  const ratio = m / floor;
  console.log(`${c.name.padEnd(24)} ${m.toFixed(1).padStart(7)} ms  ${ratio.toFixed(2)}x${c.name === 'node -e 0' ? '' : ratio <= 1.3 ? '  ok' : '  over goal'}`);
}
