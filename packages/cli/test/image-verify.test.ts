/**
 * `slotwise image verify` over the whole manifest, in-process: every image verifies exactly
 * when imgtool said OK (with the private key, the public PEM and without a key), printing
 * imgtool's lines; every negative case is rejected with imgtool's cause (a clean TRUNCATED
 * where imgtool crashed); every lenient case is rejected with the bootloader's reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manifest, runInProcess, type RecordedRun } from './image-harness.js';

const runs: Array<{ name: string; run: RecordedRun }> = [];
for (const v of [...manifest.vectors, ...manifest.encrypted]) {
  for (const kind of ['verify', 'verify_public_key', 'verify_without_key'] as const) {
    const run = v[kind];
    if (run !== undefined && run !== null) runs.push({ name: `${v.id} ${kind}`, run });
  }
}

test('the manifest has verify records', () => {
  assert.ok(runs.length > 100);
});

for (const { name, run } of runs) {
  test(`verify ${name}`, async () => {
    const result = await runInProcess(run.args);
    assert.equal(result.code, run.exit_code, result.stdout + result.stderr);
    assert.equal(result.stdout, run.stdout ?? '');
  });
}

const crashCauses = new Set(['EXCEPTION']);
for (const neg of manifest.negative) {
  for (const run of [neg.verify, neg.verify_without_key]) {
    if (run === undefined || run === null) continue;
    test(`verify ${neg.id} (${run.args.length > 2 ? 'key' : 'no key'})`, async () => {
      const result = await runInProcess(run.args);
      if (crashCauses.has(run.result ?? '')) {
        assert.equal(result.code, 1);
        assert.match(result.stderr, /^TRUNCATED: /);
      } else if (neg.id.includes('-trunc-')) {
        // A file cut inside its TLV area: imgtool may accept it (hash only) or blame the
        // signature; the bootloader's TLV walk rejects it as truncated.
        assert.equal(result.code, 1);
        assert.match(result.stderr, /^TRUNCATED: /);
      } else {
        assert.equal(result.code, run.exit_code);
        assert.equal(result.stdout, run.stdout ?? '');
      }
    });
  }
}

for (const lenient of manifest.lenient) {
  test(`rejects lenient ${lenient.id} like the bootloader`, async () => {
    const result = await runInProcess(lenient.verify.args);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /^Rejected as the MCUboot bootloader would: /);
    const json = await runInProcess([...lenient.verify.args.slice(0, -1), '--json', String(lenient.verify.args.at(-1))]);
    const parsed = JSON.parse(json.stdout) as { valid: boolean; reason: string; policy: string };
    assert.equal(parsed.valid, false);
    assert.equal(parsed.policy, 'bootloader');
    assert.match(parsed.reason, /^(KEYHASH_MISMATCH|PROTECTED_TLV_SIZE_MISMATCH|TLV_NOT_ALLOWED_UNPROTECTED)$/);
  });
}

test('verify --json reports version and digest of a valid image', async () => {
  const result = await runInProcess(['verify', '--json', '-k', 'keys/root-ed25519-pub.pem', 'images/ed25519-h20-basic.bin']);
  assert.equal(result.code, 0);
  const parsed = JSON.parse(result.stdout) as { valid: boolean; version: string; digest: string; signature: { tlvType: number } };
  assert.equal(parsed.valid, true);
  assert.equal(parsed.version, '1.2.3+4');
  assert.equal(parsed.signature.tlvType, 0x24);
  assert.equal(parsed.digest, '7710a21ec1b46295edf90f994dcc75f0e5dc8f52d91513ad429da34b4a4dcf7e');
});

test('verify --help says it judges like the bootloader', async () => {
  const result = await runInProcess(['verify', '--help']);
  assert.equal(result.code, 0);
  assert.match(result.stdout, /as the MCUboot bootloader would/);
  assert.match(result.stdout, /--json/);
});

test('verify of a missing file or bad key is a clean error', async () => {
  const missing = await runInProcess(['verify', 'images/does-not-exist.bin']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read image 'images\/does-not-exist.bin': no such file \[SW_ERR_INPUT_INVALID\]/);
  const badKey = await runInProcess(['verify', '-k', 'keys/enc-aes128kw.b64', 'images/ed25519-h20-basic.bin']);
  assert.equal(badKey.code, 1);
  assert.match(badKey.stderr, /SW_ERR_KEY_INVALID/);
});
