/**
 * Firmware as images: a descriptor travels inside a signed MCUboot image (built with the
 * imgtool-exact signer, checked with the bootloader-policy verifier) and is read back from a slot.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { nodeCrypto } from '../../src/node/crypto.js';
import { loadKey, type ImagePrivateKey } from '../../src/image/keys.js';
import { verifyImage } from '../../src/image/verify.js';
import { buildFirmwareImage, decodeFirmwarePayload, encodeFirmwarePayload, readFirmware, type FirmwareDescriptor } from '../../src/device/firmware.js';
import { isSlotwiseError } from '../../src/errors.js';
import { VECTOR_DIR } from '../image-manifest.js';

const key = loadKey(readFileSync(`${VECTOR_DIR}keys/root-ec-p256.pem`, 'utf8'), nodeCrypto) as ImagePrivateKey;
const v2: FirmwareDescriptor = { version: '1.2.0', sampleIntervalMs: 30_000, faults: { neverConfirms: true, crashAfterMs: 5_000 } };

test('a firmware build is a signed image the bootloader accepts, and its descriptor reads back from a slot', () => {
  const fw = buildFirmwareImage({ descriptor: v2, key, payloadSizeBytes: 20_000 }, nodeCrypto);
  const verdict = verifyImage(fw.image, { crypto: nodeCrypto, keys: key });
  assert.equal(verdict.ok, true);
  const slot = new Uint8Array(0x10000).fill(0xff);
  slot.set(fw.image);
  const read = readFirmware(slot);
  assert.ok(read.ok);
  assert.deepEqual(read.descriptor, v2);
  assert.deepEqual(read.headerVersion, { major: 1, minor: 2, revision: 0, build: 0 });
});

test('descriptors round-trip through the payload encoding', () => {
  const descArb = fc.record({
    version: fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 65535 })).map(([a, b, c]) => `${a}.${b}.${c}`),
    sampleIntervalMs: fc.integer({ min: 0, max: 86_400_000 }),
    faults: fc.record({ sensorInitFails: fc.boolean(), crashAfterMs: fc.integer({ min: 1, max: 1e9 }), neverConfirms: fc.boolean(), networkBroken: fc.boolean() }, { requiredKeys: [] }),
  });
  fc.assert(
    fc.property(descArb, fc.integer({ min: 0, max: 4096 }), (d, size) => {
      const p = encodeFirmwarePayload(d, size);
      assert.ok(p.length >= size);
      assert.deepEqual(decodeFirmwarePayload(p), { ok: true, descriptor: JSON.parse(JSON.stringify(d)) as FirmwareDescriptor });
    }),
  );
});

test('bad descriptors and foreign slots are typed outcomes', () => {
  assert.throws(() => encodeFirmwarePayload({ ...v2, version: '1.2.x' }), (e) => isSlotwiseError(e, 'SW_ERR_INPUT_INVALID'));
  assert.throws(() => encodeFirmwarePayload({ ...v2, faults: { crashAfterMs: -1 } }), (e) => isSlotwiseError(e, 'SW_ERR_INPUT_INVALID'));
  assert.equal(readFirmware(new Uint8Array(4096).fill(0xff)).ok, false);
  const p = encodeFirmwarePayload(v2);
  p[0] = 0;
  assert.deepEqual(decodeFirmwarePayload(p).ok, false);
  const q = encodeFirmwarePayload(v2);
  q[8] = 0xff; // breaks the JSON
  const r = decodeFirmwarePayload(q);
  assert.ok(!r.ok && r.reason === 'MALFORMED');
});
