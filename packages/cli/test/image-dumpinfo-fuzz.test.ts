/**
 * dumpinfo's reader on damaged images: any byte flip or truncation of a real image either
 * reads (and formats in all three forms) or fails with a typed SW_ERR_IMAGE_* error; never
 * anything else.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { isSlotwiseError } from '@slotwise/core/errors';
import { formatHuman, formatJson, formatYaml, readImageInfo } from '../src/image/dumpinfo-command.js';
import { vectorsDir } from './image-harness.js';

const images = ['images/ed25519-pad-confirm.bin', 'images/none-dep2.bin', 'enc/enc-x25519-aes128.bin'].map((p) => new Uint8Array(readFileSync(vectorsDir + p)));

function readOrTypedError(bytes: Uint8Array): void {
  try {
    const info = readImageInfo(bytes, 'x.bin');
    formatHuman(info);
    formatYaml(info);
    JSON.parse(formatJson(info));
  } catch (error) {
    assert.ok(isSlotwiseError(error) && /^SW_ERR_IMAGE_/.test(error.code), String(error));
  }
}

test('byte flips and truncations never escape as untyped errors', () => {
  fc.assert(
    fc.property(fc.constantFrom(...images), fc.nat(), fc.integer({ min: 1, max: 255 }), fc.boolean(), (image, at, xor, cut) => {
      const bytes = image.slice(0, Math.min(image.length, 70_000));
      const i = at % bytes.length;
      bytes[i] = (bytes[i] as number) ^ xor;
      readOrTypedError(cut ? bytes.subarray(0, i) : bytes);
    }),
    { numRuns: 300 },
  );
});

test('random bytes never escape as untyped errors', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => readOrTypedError(bytes)), { numRuns: 300 });
});
