/**
 * Building images from the manifest's imgtool argument lists: `compare: bytes` vectors are
 * reproduced byte for byte; `compare: verify` vectors (ECDSA, RSA-PSS) are rebuilt, verified by
 * our verifier and equal to imgtool's output outside the documented nondeterministic parts;
 * `sign_errors` (those not about encryption) are refused with a typed error.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { nodeCrypto } from '../src/node/crypto.js';
import { isSlotwiseError } from '../src/errors.js';
import { signImage, toBinaryOutput, toHexOutput, encodeSignatureFile, type SignResult } from '../src/image/sign.js';
import { parseImage, type ParsedImage } from '../src/image/parse.js';
import { verifyImage } from '../src/image/verify.js';
import { loadKey } from '../src/image/keys.js';
import { toHex } from '../src/bytes/hex.js';
import { manifest, vectorFile, vectorText, type VectorEntry } from './image-manifest.js';
import { translateSignArgs } from './imgtool-sign-args.js';

const sha256 = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');

/** The bytes imgtool would have written to OUTFILE. */
function render(result: SignResult, output: string, hexAddress: number | undefined): Uint8Array | string {
  if (result.kind === 'vector-to-sign') return result.bytes;
  return output.endsWith('.hex') ? toHexOutput(result, hexAddress) : toBinaryOutput(result);
}

const SKIP_TAGS = ['compression', 'encrypt'];
const skipReason = (v: VectorEntry): string | undefined =>
  v.tags.some((t) => SKIP_TAGS.includes(t)) ? 'compression needs the LZMA2 sign extension; covered byte for byte in packages/cli/test/image-sign.test.ts' : undefined;

describe('compare: bytes vectors are reproduced byte for byte', () => {
  for (const v of manifest.vectors.filter((x) => x.compare === 'bytes')) {
    const skip = skipReason(v);
    test(v.id, skip ? { skip } : {}, () => {
      const t = translateSignArgs(v.args);
      assert.deepEqual(t.unsupported, []);
      const result = signImage(t.options, nodeCrypto);
      const out = render(result, t.output, t.hexAddress);
      assert.equal(sha256(out), v.sha256, `${v.id}: output differs from imgtool's`);
      if (t.sigOut && result.kind === 'image' && result.signature) {
        assert.equal(encodeSignatureFile(result.signature), vectorText(t.sigOut), '--sig-out file');
      }
    });
  }
});

function entries(p: ParsedImage): Array<{ type: number; value: string }> {
  return p.unprotectedTlvs.map((t) => ({ type: t.type, value: toHex(t.value) }));
}

describe('compare: verify vectors: our signature verifies and the rest equals imgtool', () => {
  for (const v of manifest.vectors.filter((x) => x.compare === 'verify')) {
    const skip = skipReason(v);
    test(v.id, skip ? { skip } : {}, () => {
      const t = translateSignArgs(v.args);
      const result = signImage(t.options, nodeCrypto);
      assert.equal(result.kind, 'image');
      if (result.kind !== 'image') return;
      const ours = toBinaryOutput(result);
      const theirs = vectorFile(v.output);
      const key = loadKey(vectorText(v.key as string), nodeCrypto);
      for (const policy of ['bootloader', 'imgtool'] as const) {
        const r = verifyImage(ours, { crypto: nodeCrypto, keys: key, policy });
        assert.ok(r.ok, `${v.id} (${policy}): ${r.ok ? '' : r.reason + ' ' + r.detail}`);
      }
      const a = parseImage(ours);
      const b = parseImage(theirs);
      assert.ok(a.ok && b.ok);
      if (!a.ok || !b.ok) return;
      // Header, body, protected TLVs and the whole hashed region are deterministic.
      assert.equal(a.image.hashedRegion.length, b.image.hashedRegion.length);
      assert.equal(toHex(ours.subarray(0, a.image.hashedRegion.length)), toHex(theirs.subarray(0, b.image.hashedRegion.length)));
      // Unprotected TLVs: same types in the same order; all values equal except the signature.
      const ea = entries(a.image);
      const eb = entries(b.image);
      assert.deepEqual(ea.map((e) => e.type), eb.map((e) => e.type));
      const sigTypes = new Set([0x20, 0x22, 0x23]);
      for (let i = 0; i < ea.length; i++) {
        if (!sigTypes.has(ea[i]!.type)) assert.equal(ea[i]!.value, eb[i]!.value, `TLV 0x${ea[i]!.type.toString(16)}`);
      }
      assert.ok((v.nondeterministic_parts ?? []).length > 0, 'a verify vector names its nondeterministic parts');
      // Lengths differ only by the DER signature's variable length (ECDSA), never for RSA.
      const delta = Math.abs(ours.length - theirs.length);
      assert.ok(delta <= 2, `length differs by ${delta}`);
      if (v.args.includes('--pad-sig') || !v.tags.some((x) => x.startsWith('key:ecdsa'))) assert.equal(delta, 0);
    });
  }
});

describe('sign_errors are refused with a typed error', () => {
  for (const e of manifest.sign_errors) {
    const encryption = e.args.some((a) => a === '--encrypt' || a === '-E' || a === '--hmac-sha');
    test(e.id, encryption ? { skip: 'encryption options are validated by the sign command; covered in packages/cli/test/image-sign.test.ts' } : {}, () => {
      let caught: unknown;
      try {
        const t = translateSignArgs(e.args);
        const r = signImage(t.options, nodeCrypto);
        render(r, t.output, t.hexAddress);
      } catch (err) {
        caught = err;
      }
      assert.ok(isSlotwiseError(caught), `${e.id}: expected a SlotwiseError for "${e.message}", got ${String(caught)}`);
      assert.ok(['SW_ERR_INPUT_INVALID', 'SW_ERR_KEY_INVALID'].includes(caught.code), caught.code);
      assert.ok(caught.message.length > 10);
    });
  }
});
