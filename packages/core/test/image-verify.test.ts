/**
 * Verification against every imgtool vector: each image verified with its key, its public
 * PEM and without a key, agreeing with imgtool's recorded result; every negative rejected with
 * the manifest's reason; every lenient case rejected by the bootloader policy and accepted by
 * the imgtool policy.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { nodeCrypto } from '../src/node/crypto.js';
import { loadKey, type ImageKey } from '../src/image/keys.js';
import { verifyImage, type VerifyPolicy, type VerifyResult } from '../src/image/verify.js';
import { toHex } from '../src/bytes/hex.js';
import { fromIntelHex } from '../src/image/intel-hex.js';
import { manifest, vectorFile, vectorText, verifyKeyFile, type VerifyRecord } from './image-manifest.js';

const keyCache = new Map<string, ImageKey>();
function key(file: string): ImageKey {
  let k = keyCache.get(file);
  if (!k) {
    k = loadKey(vectorText(file), nodeCrypto);
    keyCache.set(file, k);
  }
  return k;
}

function imageBytes(path: string): Uint8Array {
  if (!path.endsWith('.hex')) return vectorFile(path);
  const h = fromIntelHex(vectorText(path));
  if (!h.ok) throw new Error(h.detail);
  return h.image.bytes;
}

function run(bytes: Uint8Array, record: VerifyRecord, policy: VerifyPolicy): VerifyResult {
  const kf = verifyKeyFile(record);
  return verifyImage(bytes, { crypto: nodeCrypto, policy, ...(kf ? { keys: key(kf) } : {}) });
}

/**
 * imgtool crashed (EXCEPTION) on truncated files; we return a typed reason instead.
 */
function expectedReason(record: VerifyRecord): readonly string[] {
  if (record.result === 'EXCEPTION') return ['TRUNCATED'];
  return [record.result];
}

function assertAgrees(result: VerifyResult, record: VerifyRecord, policy: VerifyPolicy, id: string): void {
  if (policy === 'bootloader' && id === 'neg-ed25519-trunc-sig') {
    // Cut inside the signature: even hash-only judging refuses a TLV area the file does not hold.
    assert.ok(!result.ok && result.reason === 'TRUNCATED', `${id}: expected TRUNCATED`);
    return;
  }
  if (record.result === 'OK') {
    assert.ok(result.ok, `${id} (${policy}): expected OK, got ${result.ok ? '' : `${result.reason}: ${result.detail}`}`);
    if (record.digest) assert.equal(toHex(result.digest), record.digest, `${id}: digest`);
  } else {
    assert.ok(!result.ok, `${id} (${policy}): expected ${record.result}, got OK`);
    assert.ok(expectedReason(record).includes(result.reason), `${id} (${policy}): expected ${record.result}, got ${result.reason}: ${result.detail}`);
  }
}

const encryptedReason = 'encrypted images are decrypted by image/encrypt.ts (packages/core/test/encrypt-vectors.test.ts); imgtool reports INVALID_HASH on the ciphertext, checked here too';

describe('imgtool vectors verify as imgtool says', () => {
  for (const v of manifest.vectors) {
    if (v.kind !== 'image') continue;
    test(v.id, () => {
      const bytes = imageBytes(v.output);
      for (const policy of ['bootloader', 'imgtool'] as const) {
        // The big-endian vector is rejected for its magic by both (imgtool reads little-endian only).
        for (const record of [v.verify, v.verify_public_key, v.verify_without_key]) {
          if (!record) continue;
          assertAgrees(run(bytes, record, policy), record, policy, v.id);
        }
      }
    });
  }
  for (const v of manifest.encrypted) {
    test(`${v.id} (ciphertext)`, () => {
      const bytes = vectorFile(v.output);
      for (const policy of ['bootloader', 'imgtool'] as const) {
        for (const record of [v.verify, v.verify_public_key, v.verify_without_key]) {
          if (!record) continue;
          assertAgrees(run(bytes, record, policy), record, policy, `${v.id}: ${encryptedReason}`);
        }
      }
    });
  }
});

describe('negative vectors are rejected with the manifest reason', () => {
  for (const n of manifest.negative) {
    test(n.id, () => {
      const bytes = vectorFile(n.input);
      for (const policy of ['bootloader', 'imgtool'] as const) {
        for (const record of [n.verify, n.verify_without_key]) {
          if (!record) continue;
          assertAgrees(run(bytes, record, policy), record, policy, n.id);
        }
      }
    });
  }
});

const LENIENT_BOOTLOADER_REASON: Readonly<Record<string, string>> = {
  'lenient-ed25519-flip-keyhash': 'KEYHASH_MISMATCH',
  'lenient-none-ptlv-size-rehashed': 'PROTECTED_TLV_SIZE_MISMATCH',
  'lenient-ed25519-unprot-vendor-tlv': 'TLV_NOT_ALLOWED_UNPROTECTED',
};

describe('lenient vectors: imgtool policy accepts, bootloader policy rejects with the reason', () => {
  for (const n of manifest.lenient) {
    test(n.id, () => {
      const bytes = vectorFile(n.input);
      const expected = LENIENT_BOOTLOADER_REASON[n.id];
      assert.ok(expected, `no bootloader reason recorded for ${n.id} (${n.mcuboot_bootloader ?? ''})`);
      for (const record of [n.verify, n.verify_without_key]) {
        if (!record) continue;
        assertAgrees(run(bytes, record, 'imgtool'), record, 'imgtool', n.id);
        const strict = run(bytes, record, 'bootloader');
        // KEYHASH is only consulted when there are trusted keys; hash-only judging accepts it.
        if (n.id === 'lenient-ed25519-flip-keyhash' && !verifyKeyFile(record)) {
          assert.ok(strict.ok);
          continue;
        }
        assert.ok(!strict.ok, `${n.id}: bootloader policy accepted it`);
        assert.equal(strict.reason, expected, strict.detail);
      }
    });
  }
});
