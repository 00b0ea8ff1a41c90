/**
 * Upload verification with the real image module against the imgtool vectors
 * (`../shared/vectors/image`): MCUboot images parsed and verified before storing (version, hash,
 * signature against the tenant's trusted keys, downgrade guard); corrupted ones refused with
 * nothing stored; other files stored opaque.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHarness, type Harness } from '../harness.js';
import { createImageInspector } from '../../src/service/image-inspector.js';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const vectors = join(repoRoot, '..', 'shared', 'vectors', 'image');
const read = (rel: string): Buffer => readFileSync(join(vectors, rel));

function upload(h: Harness, name: string, bytes: Buffer) {
  return h.app.inject({ method: 'POST', url: `/api/v1/artifacts?filename=${name}`, headers: { authorization: `Bearer ${h.adminKey}`, 'content-type': 'application/octet-stream' }, payload: bytes });
}

function stored(h: Harness): number {
  const root = join(h.dir, 'artifacts');
  return readdirSync(root).reduce((n, sub) => n + readdirSync(join(root, sub)).length, 0);
}

test('a signed MCUboot image is verified and its version and hash recorded', async () => {
  const h = await createHarness({ inspectImage: createImageInspector() });
  try {
    const res = await upload(h, 'zephyr.signed.bin', read('images/ecp256-h20-basic.bin'));
    assert.equal(res.statusCode, 201, res.body);
    const a = res.json() as { kind: string; imageVersion: string; imageHash: string; signed: boolean };
    assert.deepEqual([a.kind, a.imageVersion, a.signed], ['mcuboot', '1.2.3+4', false], 'no trusted keys: hash-only');
    assert.equal(a.imageHash, '7710a21ec1b46295edf90f994dcc75f0e5dc8f52d91513ad429da34b4a4dcf7e', 'the SHA256 TLV, as mcumgr shows it');
    const again = await upload(h, 'zephyr.signed.bin', read('images/ecp256-h20-basic.bin'));
    assert.equal(again.statusCode, 200, 'same bytes: idempotent');
    assert.equal((await upload(h, 'notes.txt', Buffer.from('release notes'))).json().kind, 'opaque');
  } finally {
    await h.close();
  }
});

test("the tenant's trusted keys gate uploads; corrupt images and downgrades are refused with nothing stored", async () => {
  const h = await createHarness({ inspectImage: createImageInspector() });
  try {
    const put = await h.admin('PUT', '/api/v1/tenants/DEFAULT', { trustedKeys: [read('keys/root-ec-p256-pub.pem').toString()], downgradeGuard: true });
    assert.equal(put.statusCode, 200, put.body);
    h.clock.advanceBy(10_000);
    const ok = await upload(h, 'a.bin', read('images/ecp256-h20-basic.bin'));
    assert.equal(ok.statusCode, 201, ok.body);
    assert.equal((ok.json() as { signed: boolean }).signed, true);
    const before = stored(h);
    for (const [file, reason] of [
      ['negative/neg-ecp256-flip-body.bin', 'INVALID_HASH'],
      ['negative/neg-ecp256-flip-sig.bin', 'INVALID_SIGNATURE'],
      ['negative/neg-ecp256-trunc-tlvs.bin', ''],
      ['images/ed25519-h20-basic.bin', ''],
    ] as const) {
      const res = await upload(h, 'bad.bin', read(file));
      assert.equal(res.statusCode, 422, `${file}: ${res.body}`);
      const body = res.json() as { code: string; message: string };
      assert.equal(body.code, 'SW_ERR_IMAGE_REJECTED');
      if (reason !== '') assert.match(body.message, new RegExp(reason));
    }
    const down = await upload(h, 'old.bin', read('images/ecp256-size100.bin'));
    assert.equal(down.statusCode, 409, down.body);
    assert.equal((down.json() as { code: string }).code, 'SW_ERR_IMAGE_DOWNGRADE');
    assert.equal(stored(h), before, 'nothing written for refused uploads');
    assert.equal(((await h.admin('GET', '/api/v1/artifacts')).json() as unknown[]).length, 1);
  } finally {
    await h.close();
  }
});
