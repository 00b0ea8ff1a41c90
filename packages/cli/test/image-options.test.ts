/**
 * `slotwise image` behaviour the manifest does not cover: options of ours (`verify
 * --decrypt-key`, `--json`), imgtool options without a vector (`--custom-tlv-file`, the
 * `create` alias, X25519 with HMAC-SHA512 round trip, password-protected signing keys), and the
 * progress bar (drawn only for large inputs on a terminal).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { runImage } from '../src/commands/image.js';
import { PROGRESS_MIN_BYTES } from '../src/image/progress.js';
import { runInProcess, vectorsDir } from './image-harness.js';

const work = mkdtempSync(join(tmpdir(), 'slotwise-options-'));
test.after(() => rmSync(work, { recursive: true, force: true }));
const keys = join(vectorsDir, 'keys');
const payload = join(vectorsDir, 'payloads/pat7x3-4096.bin');

test('encrypt for X25519 with HMAC-SHA512 and AES-256, then verify --decrypt-key', async () => {
  const out = join(work, 'enc.bin');
  const signed = await runInProcess(['sign', '-k', join(keys, 'root-ed25519.pem'), '-v', '2.0.0', '-H', '0x20', '--pad-header', '-S', '0x20000', '--hmac-sha', '512', '--encrypt-keylen', '256', '-E', join(keys, 'enc-x25519-pub.pem'), payload, out]);
  assert.equal(signed.code, 0, signed.stderr);
  const info = JSON.parse((await runInProcess(['dumpinfo', '-f', 'json', out])).stdout) as { header: { flags: number }; tlv_area: { tlvs: Array<{ type_name: string; len: number }> } };
  assert.equal(info.header.flags, 0x08);
  assert.deepEqual(info.tlv_area.tlvs.at(-1), { ...info.tlv_area.tlvs.at(-1), type_name: 'ENCX25519_SHA512', len: 128 });
  const plain = await runInProcess(['verify', '-k', join(keys, 'root-ed25519-pub.pem'), out]);
  assert.equal(plain.code, 1);
  assert.equal(plain.stdout, 'Image has an invalid hash\n');
  assert.match(plain.stderr, /hint: the image is encrypted .* --decrypt-key/);
  const decrypted = await runInProcess(['verify', '-k', join(keys, 'root-ed25519-pub.pem'), '--decrypt-key', join(keys, 'enc-x25519-priv.pem'), out]);
  assert.equal(decrypted.code, 0, decrypted.stderr);
  assert.match(decrypted.stdout, /^Image was correctly validated\nImage version: 2\.0\.0\+0\n/);
  const wrong = await runInProcess(['verify', '--decrypt-key', join(keys, 'enc-ec256-priv.pem'), out]);
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /ENC_KEY_MISMATCH/);
});

test('verify --decrypt-key takes a base64 AES-KW key for ENC_KW images', async () => {
  const { encryptionExtension, readKeyEncryptionKey } = await import('@slotwise/core/image/encrypt');
  const { createNodeEncCrypto } = await import('@slotwise/core/node/enc-crypto');
  const { signImage } = await import('@slotwise/core/image/sign');
  const { loadKey } = await import('@slotwise/core/image/keys');
  const { nodeCrypto } = await import('@slotwise/core/node/crypto');
  const kekFile = join(keys, 'enc-aes128kw.b64');
  const { recipient } = readKeyEncryptionKey(readFileSync(kekFile, 'utf8'));
  const { aesKey: _aesKey, ...extension } = encryptionExtension(createNodeEncCrypto(), { recipient, aesBits: 128 });
  const signer = loadKey(readFileSync(join(keys, 'root-ec-p256.pem'), 'utf8'), nodeCrypto);
  assert.equal(signer.kind, 'private');
  if (signer.kind !== 'private') return;
  const signed = signImage({ payload: new Uint8Array(readFileSync(payload)), version: { major: 3, minor: 1, revision: 0, build: 0 }, headerSize: 32, padHeader: true, slotSize: 0, key: signer, extension }, nodeCrypto);
  assert.ok(signed.kind === 'image');
  if (signed.kind !== 'image') return;
  const file = join(work, 'kw.bin');
  writeFileSync(file, signed.image);
  const info = JSON.parse((await runInProcess(['dumpinfo', '-f', 'json', file])).stdout) as { tlv_area: { tlvs: Array<{ type_name: string; len: number }> } };
  assert.deepEqual(info.tlv_area.tlvs.map((t) => [t.type_name, t.len]).at(-1), ['ENCKW', 24]);
  const ok = await runInProcess(['verify', '-k', join(keys, 'root-ec-p256-pub.pem'), '--decrypt-key', kekFile, file]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /Image version: 3\.1\.0\+0/);
  const refused = await runInProcess(['sign', '-v', '1', '-H', '32', '--pad-header', '-S', '0x20000', '-E', kekFile, payload, join(work, 'kw2.bin')]);
  assert.equal(refused.code, 1, 'sign -E takes PEM keys only, as imgtool');
});

test('--custom-tlv-file and the create alias', async () => {
  const tlvFile = join(work, 'tlv.bin');
  writeFileSync(tlvFile, Uint8Array.of(1, 2, 3, 250));
  const out = join(work, 'custom.bin');
  const r = await runInProcess(['create', '-v', '1', '-H', '32', '--pad-header', '-S', '0x20000', '--custom-tlv', '0xb0', 'text', '--custom-tlv-file', '0xb1', tlvFile, payload, out]);
  assert.equal(r.code, 0, r.stderr);
  const info = JSON.parse((await runInProcess(['dumpinfo', '-f', 'json', out])).stdout) as { tlv_area: { tlvs_prot: Array<{ type: number; data: string }> } };
  assert.deepEqual(info.tlv_area.tlvs_prot.map((t) => [t.type, t.data]), [[0xb0, Buffer.from('text').toString('hex')], [0xb1, '010203fa']]);
  const dup = await runInProcess(['sign', '-v', '1', '-H', '32', '--pad-header', '-S', '0x20000', '--custom-tlv', '0xb0', 'a', '--custom-tlv', '0xb0', 'b', payload, join(work, 'dup.bin')]);
  assert.equal(dup.code, 2);
  assert.match(dup.stderr, /Custom TLV 0xb0 already exists/);
});

test('signing with a password-protected key asks for the password', async () => {
  const keyFile = join(work, 'protected.pem');
  assert.equal((await runInProcess(['keygen', '-k', keyFile, '-t', 'ecdsa-p256', '-p'], work, ['s3cret', 's3cret'])).code, 0);
  const out = join(work, 'pw.bin');
  const r = await runInProcess(['sign', '-k', keyFile, '-v', '1', '-H', '32', '--pad-header', '-S', '0x20000', payload, out], work, ['s3cret']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await runInProcess(['verify', '-k', keyFile, out], work, ['s3cret'])).code, 0);
  const wrong = await runInProcess(['sign', '-k', keyFile, '-v', '1', '-H', '32', '--pad-header', '-S', '0x20000', payload, join(work, 'pw2.bin')], work, ['nope']);
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /wrong password\? \[SW_ERR_KEY_INVALID\]/);
});

test('malformed option values are usage errors (exit 2)', async () => {
  const base = ['-H', '32', '--pad-header', '-S', '0x20000', payload, join(work, 'bad.bin')];
  for (const [args, message] of [
    [['sign', '-v', '1', '-d', '(1, 2.x)', ...base], /Image dependency format is invalid|mismatch/],
    [['sign', '-v', '1', '-s', 'ten', ...base], /ten is not a valid integer/],
    [['sign', '-v', '1', '-H', 'zz', '-S', '1', 'a', 'b'], /zz is not a valid integer/],
    [['sign', '-v', '1', '--align', '3', ...base], /'3' is not one of/],
    [['sign', '-v', '1', '--clear', ...base], /--clear needs --encrypt/],
    [['sign', '-v'], /requires an argument/],
    [['sign', '-v', '1', '-H', '32', '--pad-header', '-S', '-1', '--pad', payload, join(work, 'bad.bin')], /-1 is out of range/],
    [['sign', '-v', '1', '-H', '32', '--pad-header', '-S', '0', '--confirm', payload, join(work, 'bad.bin')], /need the slot size to pad to/],
    [['sign', '-v', '1', '-H', '32', '--pad-header', '-S', '0xffffffff', '--pad', payload, join(work, 'bad.bin')], /refusing to pad a file to more than 1024 MiB/],
    [['sign', '-v', '1', '-L', '-1', ...base], /-1 is out of range/],
    [['sign', '-v', '1', '-H', '0x10000', '-S', '0x20000', '--pad-header', payload, join(work, 'bad.bin')], /out of range \(32\.\.0xffff\)/],
    [['sign', '-v', '1', '-M', '-3', ...base], /out of range/],
    [['sign', '-v', '1', ...base, 'extra'], /unexpected extra argument/],
  ] as const) {
    const r = await runInProcess(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
  assert.throws(() => readFileSync(join(work, 'bad.bin')), /ENOENT/);
});

test('a progress bar is drawn for a large input on a terminal, never otherwise', async () => {
  const big = join(work, 'big.bin');
  writeFileSync(big, new Uint8Array(PROGRESS_MIN_BYTES));
  let drawn = '';
  const progressStream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      drawn += chunk.toString();
      done();
    },
  });
  Object.assign(progressStream, { isTTY: true, columns: 100 });
  const run = (isTty: boolean): Promise<number> =>
    runImage(['sign', '-v', '1', '-H', '32', '--pad-header', '-S', '0x1000000', big, join(work, 'big.signed.bin')], { cwd: work, isTty, progressStream, stdout: () => undefined, stderr: () => undefined });
  assert.equal(await run(false), 0);
  assert.equal(drawn, '');
  assert.equal(await run(true), 0);
  assert.match(drawn, /reading input \[/);
  assert.equal(readFileSync(join(work, 'big.signed.bin')).length, PROGRESS_MIN_BYTES + 32 + 40);
});
