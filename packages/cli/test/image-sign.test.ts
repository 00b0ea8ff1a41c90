/**
 * `slotwise image sign` over the whole manifest, in-process (the same code path as the
 * binary, minus process start-up): every vector's imgtool `args` run unchanged with only the
 * outputs redirected to a temp dir. `compare: bytes` outputs are byte-identical; `compare:
 * verify` outputs verify with our verifier and equal imgtool's outside the
 * nondeterministic parts; encrypted outputs decrypt with the recipient key and then verify;
 * every `sign_errors` case is refused with imgtool's exit code and leaves no file behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseImage } from '@slotwise/core/image/parse';
import { isXzAvailable } from '@slotwise/core/node/xz-compress';
import { manifest, runInProcess, vectorsDir, type Vector } from './image-harness.js';

const work = mkdtempSync(join(tmpdir(), 'slotwise-sign-'));
test.after(() => rmSync(work, { recursive: true, force: true }));

/** The vector's args with OUTFILE and --sig-out moved into `dir`. */
function redirect(args: readonly string[], dir: string): { args: string[]; outfile: string } {
  const out = [...args];
  const outfile = join(dir, `out-${String(out.at(-1)).split('/').pop() ?? 'x'}`);
  out[out.length - 1] = outfile;
  const sig = out.indexOf('--sig-out');
  if (sig !== -1) out[sig + 1] = join(dir, 'sig-out.sig');
  return { args: out, outfile };
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function compareOutsideRandomParts(vector: Vector, ours: Uint8Array, theirs: Uint8Array): void {
  const parts = (vector.nondeterministic_parts ?? []).join(' ');
  const a = parseImage(ours);
  const b = parseImage(theirs);
  assert.ok(a.ok && b.ok, 'both images parse strictly');
  if (!a.ok || !b.ok) return;
  if (!parts.includes('header')) assert.equal(hex(ours.subarray(0, a.image.header.hdrSize)), hex(theirs.subarray(0, b.image.header.hdrSize)), 'header');
  if (!parts.includes('body')) assert.equal(sha256(ours.subarray(a.image.body.offset, a.image.body.offset + a.image.body.length)), sha256(theirs.subarray(b.image.body.offset, b.image.body.offset + b.image.body.length)), 'body');
  if (!parts.includes('protected_tlvs')) assert.deepEqual(a.image.protectedTlvs.map((t) => [t.type, hex(t.value)]), b.image.protectedTlvs.map((t) => [t.type, hex(t.value)]), 'protected TLVs');
  for (const type of [0x01, 0x02, 0x10, 0x11, 0x12]) {
    if (type >= 0x10 && parts.includes('tlv:SHA')) continue;
    const ta: Uint8Array | undefined = a.image.unprotectedTlvs.find((t) => t.type === type)?.value;
    const tb: Uint8Array | undefined = b.image.unprotectedTlvs.find((t) => t.type === type)?.value;
    assert.equal(ta === undefined ? undefined : hex(ta), tb === undefined ? undefined : hex(tb), `TLV 0x${type.toString(16)}`);
  }
  assert.deepEqual(a.image.unprotectedTlvs.map((t) => t.type), b.image.unprotectedTlvs.map((t) => t.type), 'unprotected TLV types and order');
  if (!parts.includes('tlv_info.tlv_tot') && !parts.includes('ECDSASIG')) assert.equal(ours.length, theirs.length, 'length');
}

for (const vector of [...manifest.vectors, ...manifest.encrypted]) {
  const compressed = vector.args.includes('--compression');
  test(`sign ${vector.id}`, { skip: compressed && !isXzAvailable() ? 'compression needs the xz tool (liblzma) to match imgtool' : false }, async () => {
    const dir = mkdtempSync(join(work, `${vector.id}-`));
    const { args, outfile } = redirect(vector.args, dir);
    const result = await runInProcess(args);
    assert.equal(result.code, 0, result.stderr);
    const ours = new Uint8Array(readFileSync(outfile));
    const theirs = new Uint8Array(readFileSync(vectorsDir + vector.output));
    if (compressed) assert.match(result.stdout, /^compressed image size: \d+ bytes\noriginal image size: \d+ bytes\n$/);
    else assert.equal(result.stdout, '');
    if (vector.compare === 'bytes') {
      assert.equal(sha256(ours), vector.sha256);
      if (compressed) assert.ok(vector.imgtool_stdout?.includes(result.stdout), 'same size lines as imgtool');
      if (vector.extra_outputs !== undefined && vector.args.includes('--sig-out')) {
        assert.equal(readFileSync(join(dir, 'sig-out.sig'), 'utf8'), readFileSync(vectorsDir + String(vector.args[vector.args.indexOf('--sig-out') + 1]), 'utf8'));
      }
      return;
    }
    compareOutsideRandomParts(vector, ours, theirs);
    let image = outfile;
    if (vector.enc !== undefined) {
      const decrypted = join(dir, 'decrypted.bin');
      const { decryptImage, readEncryptionKey } = await import('@slotwise/core/image/encrypt');
      const { createNodeEncCrypto } = await import('@slotwise/core/node/enc-crypto');
      const { decodePem } = await import('@slotwise/core/image/keys');
      const enc = createNodeEncCrypto();
      const key = readEncryptionKey(enc, decodePem(readFileSync(vectorsDir + vector.enc.decrypt_key, 'utf8')).der).decryption;
      assert.ok(key);
      const plain = decryptImage(enc, ours, key, { clear: vector.enc.clear });
      assert.ok(plain.ok, plain.ok ? '' : plain.detail);
      if (!plain.ok) return;
      // Our plaintext equals imgtool's decrypted image wherever imgtool's run is deterministic.
      if (!(vector.nondeterministic_parts ?? []).some((p) => p.startsWith('tlv:ECDSA') || p.startsWith('tlv:RSA') || p === 'header')) {
        const theirsPlain = new Uint8Array(readFileSync(vectorsDir + vector.enc.decrypted_image));
        const body = parseImage(theirsPlain);
        assert.ok(body.ok);
        if (body.ok) assert.equal(sha256(plain.image.subarray(0, body.image.hashedRegion.length)), sha256(theirsPlain.subarray(0, body.image.hashedRegion.length)));
      }
      const { writeFileSync } = await import('node:fs');
      writeFileSync(decrypted, plain.image);
      image = decrypted;
    }
    const verify = await runInProcess(vector.key === null ? ['verify', image] : ['verify', '-k', vector.key, image]);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  });
}

for (const error of manifest.sign_errors) {
  test(`refuses ${error.id}`, async () => {
    const dir = mkdtempSync(join(work, `${error.id}-`));
    const { args } = redirect(error.args, dir);
    const result = await runInProcess(args);
    assert.equal(result.code, error.exit_code, result.stderr);
    assert.match(result.stderr, /Error: \S/);
    if (error.result === 'USAGE_ERROR') {
      // imgtool's own message (its unformatted "{allowed}" placeholders aside).
      const message = error.message.replace(/^Error: /, '').replace(/\{[A-Za-z_:0-9]+\}.*$/, '').replace(/[.]$/, '');
      assert.ok(result.stderr.includes(message.slice(0, 40)), `expected "${message}" in ${result.stderr}`);
    } else {
      assert.match(result.stderr, /\[SW_ERR_[A-Z_]+\]/);
    }
    assert.deepEqual(readdirSync(dir), [], 'no output file, not even a temp file');
  });
}
