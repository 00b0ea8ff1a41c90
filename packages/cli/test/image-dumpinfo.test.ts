/**
 * `slotwise image dumpinfo` over every image of the manifest: `--format json` gives the same
 * facts as imgtool's recorded output; where imgtool crashed we exit 1 with a clear error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manifest, runInProcess, type Vector } from './image-harness.js';

const images: Vector[] = [...manifest.vectors, ...manifest.encrypted].filter((v) => v.dumpinfo !== undefined);

test('the manifest has dumpinfo records', () => {
  assert.ok(images.length > 50);
});

for (const vector of images) {
  const recorded = vector.dumpinfo;
  if (recorded === undefined) continue;
  test(`dumpinfo ${vector.id}`, async () => {
    const result = await runInProcess(recorded.args);
    assert.equal(result.code, recorded.exit_code, result.stderr);
    if (recorded.exit_code === 0) assert.deepEqual(JSON.parse(result.stdout), recorded.json);
    else assert.match(result.stderr, /^Error: .+\[SW_ERR_IMAGE_[A-Z]+\]\n$/);
  });
}

test('dumpinfo human form names every section', async () => {
  const result = await runInProcess(['dumpinfo', 'images/ed25519-pad-confirm.bin']);
  assert.equal(result.code, 0);
  for (const line of ['#### Image header (offset: 0x0) ', 'version:            1.2.3+4', 'FW image (size: 0x1000 Bytes)', '        type: ED25519 (0x24)', 'image_ok:    SET (0x1)', '#### End of Image ']) {
    assert.ok(result.stdout.includes(line), line);
  }
});

test('dumpinfo of truncated files is a typed error, not a crash', async () => {
  for (const input of ['negative/neg-none-trunc-header.bin', 'negative/neg-ecp256-trunc-tlvs.bin', 'negative/neg-none-trunc-body.bin']) {
    const result = await runInProcess(['dumpinfo', '-f', 'json', input]);
    assert.equal(result.code, 1, input);
    assert.match(result.stderr, /SW_ERR_IMAGE_TRUNCATED/);
  }
});
