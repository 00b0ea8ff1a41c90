/**
 * Properties of the image module (fast-check): parse(build(x)) round-trips; a single bit flip
 * in the hashed region or the signature fails verification with a typed reason; chunked
 * hashing equals one-shot hashing; arbitrary bytes never make parse/verify/HEX/key loading throw
 * anything but typed errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { nodeCrypto } from '../src/node/crypto.js';
import { isSlotwiseError } from '../src/errors.js';
import { signImage, type SignOptions } from '../src/image/sign.js';
import { parseImage } from '../src/image/parse.js';
import { verifyImage, type VerifyFailureReason } from '../src/image/verify.js';
import { decodeImageHeader, encodeImageHeader } from '../src/image/header.js';
import { loadKey, type ImagePrivateKey } from '../src/image/keys.js';
import { fromIntelHex, toIntelHex } from '../src/image/intel-hex.js';
import { TlvType } from '../src/image/constants.js';
import { toHex } from '../src/bytes/hex.js';
import { vectorText } from './image-manifest.js';

const ed = loadKey(vectorText('keys/root-ed25519.pem'), nodeCrypto) as ImagePrivateKey;
const p256 = loadKey(vectorText('keys/root-ec-p256.pem'), nodeCrypto) as ImagePrivateKey;

const version = fc.record({
  major: fc.integer({ min: 0, max: 255 }),
  minor: fc.integer({ min: 0, max: 255 }),
  revision: fc.integer({ min: 0, max: 0xffff }),
  build: fc.integer({ min: 0, max: 0xffff_ffff }),
}, { noNullPrototype: true });

const buildInput = fc.record({
  payload: fc.uint8Array({ minLength: 0, maxLength: 1500 }),
  version,
  headerSize: fc.integer({ min: 32, max: 600 }),
  signed: fc.boolean(),
  securityCounter: fc.option(fc.integer({ min: 0, max: 0xffff_ffff }), { nil: undefined }),
  dependencies: fc.array(fc.record({ imageId: fc.integer({ min: 0, max: 255 }), version }), { maxLength: 3 }),
  custom: fc.uniqueArray(fc.record({ type: fc.integer({ min: 0xa0, max: 0xfffe }), value: fc.uint8Array({ maxLength: 40 }) }), { selector: (t) => t.type, maxLength: 3 }),
  loadAddress: fc.option(fc.integer({ min: 1, max: 0xffff_ffff }), { nil: undefined }),
});
type BuildInput = typeof buildInput extends fc.Arbitrary<infer T> ? T : never;

function optionsOf(x: BuildInput): SignOptions {
  return {
    payload: x.payload,
    version: x.version,
    headerSize: x.headerSize,
    padHeader: true,
    slotSize: 0,
    ...(x.signed ? { key: ed } : {}),
    ...(x.securityCounter !== undefined ? { securityCounter: x.securityCounter } : {}),
    dependencies: x.dependencies,
    customTlvs: x.custom,
    ...(x.loadAddress !== undefined ? { loadAddress: x.loadAddress } : {}),
  };
}

test('header encode/decode round-trips', () => {
  fc.assert(
    fc.property(version, fc.integer({ min: 0, max: 0xffff_ffff }), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff_ffff }), fc.integer({ min: 0, max: 0xffff_ffff }), (v, load, hdr, prot, img, flags) => {
        const h = { loadAddr: load, hdrSize: hdr, protectTlvSize: prot, imgSize: img, flags, version: v };
        assert.deepEqual(decodeImageHeader(encodeImageHeader(h)), { ...h, magic: 0x96f3b83d, pad1: 0 });
      }),
  );
});

test('parse(build(x)) returns the header, body and protected TLVs that were built', () => {
  fc.assert(
    fc.property(buildInput, (x) => {
      const o = optionsOf(x);
      const r = signImage(o, nodeCrypto);
      assert.equal(r.kind, 'image');
      if (r.kind !== 'image') return;
      const p = parseImage(r.image);
      assert.ok(p.ok, p.ok ? '' : p.detail);
      if (!p.ok) return;
      const img = p.image;
      assert.deepEqual(img.header.version, x.version);
      assert.equal(img.header.hdrSize, x.headerSize);
      assert.equal(img.header.imgSize, x.payload.length);
      assert.equal(img.header.loadAddr, x.loadAddress ?? 0);
      assert.equal(toHex(r.image.subarray(img.body.offset, img.body.offset + img.body.length)), toHex(x.payload));
      const expected = [
        ...(x.securityCounter !== undefined ? [TlvType.SEC_CNT] : []),
        ...x.dependencies.map(() => TlvType.DEPENDENCY),
        ...o.customTlvs!.map((t) => t.type),
      ];
      assert.deepEqual(img.protectedTlvs.map((t) => t.type), expected);
      o.customTlvs!.forEach((t, i) => assert.equal(toHex(img.protectedTlvs[x.dependencies.length + (x.securityCounter !== undefined ? 1 : 0) + i]!.value), toHex(t.value)));
      assert.deepEqual(img.unprotectedTlvs.map((t) => t.type), x.signed ? [TlvType.SHA256, TlvType.KEYHASH, TlvType.ED25519] : [TlvType.SHA256]);
      assert.equal(img.tlvEnd, r.image.length);
      const v = verifyImage(r.image, { crypto: nodeCrypto, ...(x.signed ? { keys: ed } : {}) });
      assert.ok(v.ok, v.ok ? '' : v.detail);
    }),
    { numRuns: 60 },
  );
});

const REASONS: ReadonlySet<VerifyFailureReason> = new Set([
  'TRUNCATED', 'MALFORMED', 'INVALID_MAGIC', 'INVALID_TLV_INFO_MAGIC', 'PROTECTED_TLV_SIZE_MISMATCH', 'TLV_OUT_OF_BOUNDS',
  'TLV_NOT_ALLOWED_UNPROTECTED', 'MISSING_HASH', 'INVALID_HASH', 'KEY_MISMATCH', 'KEYHASH_MISMATCH', 'INVALID_SIGNATURE',
]);

for (const [name, key] of [['ed25519', ed], ['ecdsa-p256', p256]] as const) {
  test(`any single bit flip in the hashed region or the signature of a ${name} image fails verification`, () => {
    const payload = Uint8Array.from({ length: 700 }, (_, i) => (i * 7 + 3) & 0xff);
    const r = signImage({ payload, version: { major: 1, minor: 2, revision: 3, build: 4 }, headerSize: 64, padHeader: true, slotSize: 0, key, securityCounter: 9 }, nodeCrypto);
    assert.equal(r.kind, 'image');
    if (r.kind !== 'image') return;
    const p = parseImage(r.image);
    assert.ok(p.ok);
    if (!p.ok) return;
    const sig = p.image.unprotectedTlvs.find((t) => t.type === TlvType.ED25519 || t.type === TlvType.ECDSA_SIG)!;
    const sigStart = sig.offset + 4;
    const target = fc.oneof(fc.integer({ min: 0, max: r.hashedLength * 8 - 1 }), fc.integer({ min: sigStart * 8, max: (sigStart + sig.len) * 8 - 1 }));
    fc.assert(
      fc.property(target, fc.constantFrom('bootloader' as const, 'imgtool' as const), (bit, policy) => {
        const bytes = r.image.slice();
        bytes[bit >> 3]! ^= 1 << (bit & 7);
        const v = verifyImage(bytes, { crypto: nodeCrypto, keys: key, policy });
        assert.ok(!v.ok, `bit ${bit} (${policy}) still verifies`);
        assert.ok(REASONS.has(v.reason));
        if (bit >= sigStart * 8) assert.equal(v.reason, 'INVALID_SIGNATURE');
        // Without a key, the hash alone still catches every flip in the hashed region.
        if (bit < r.hashedLength * 8) assert.ok(!verifyImage(bytes, { crypto: nodeCrypto, policy }).ok);
      }),
      { numRuns: 250 },
    );
  });
}

test('hashing in arbitrary chunks equals one-shot hashing', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 3000 }), fc.array(fc.nat(), { maxLength: 8 }), fc.constantFrom('sha256' as const, 'sha384' as const, 'sha512' as const), (data, cuts, alg) => {
      const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
      const h = nodeCrypto.createHash(alg);
      let prev = 0;
      for (const c of [...points, data.length]) {
        h.update(data.subarray(prev, c));
        prev = c;
      }
      assert.equal(toHex(h.digest()), toHex(nodeCrypto.createHash(alg).update(data).digest()));
    }),
  );
});

test('a signed image hashed in flash-sized chunks matches its hash TLV', () => {
  const r = signImage({ payload: new Uint8Array(5000).fill(0x5a), version: { major: 1, minor: 0, revision: 0, build: 0 }, headerSize: 32, padHeader: true, slotSize: 0 }, nodeCrypto);
  assert.equal(r.kind, 'image');
  if (r.kind !== 'image') return;
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 1024 }), (chunk) => {
      const h = nodeCrypto.createHash('sha256');
      for (let o = 0; o < r.hashedLength; o += chunk) h.update(r.image.subarray(o, Math.min(o + chunk, r.hashedLength)));
      assert.equal(toHex(h.digest()), toHex(r.digest));
    }),
    { numRuns: 50 },
  );
});

test('random bytes never make parse or verify throw', () => {
  const base = signImage({ payload: new Uint8Array(200).fill(1), version: { major: 1, minor: 0, revision: 0, build: 0 }, headerSize: 32, padHeader: true, slotSize: 0, key: ed, securityCounter: 1 }, nodeCrypto);
  assert.equal(base.kind, 'image');
  if (base.kind !== 'image') return;
  // Mostly-valid inputs reach deep into the parser; fully random ones test the front door.
  const mutated = fc.tuple(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), fc.nat()).map(([edits, cut]) => {
    const b = base.image.slice(0, base.image.length - (cut % 40));
    for (const [at, v] of edits) b[at % b.length] = v;
    return b;
  });
  const magicPrefixed = fc.uint8Array({ maxLength: 300 }).map((b) => Uint8Array.from([0x3d, 0xb8, 0xf3, 0x96, ...b]));
  fc.assert(
    fc.property(fc.oneof(fc.uint8Array({ maxLength: 400 }), magicPrefixed, mutated), fc.constantFrom('bootloader' as const, 'imgtool' as const), (bytes, policy) => {
      const p = parseImage(bytes);
      assert.equal(typeof p.ok, 'boolean');
      const v = verifyImage(bytes, { crypto: nodeCrypto, keys: ed, policy });
      if (!v.ok) assert.ok(REASONS.has(v.reason), v.reason);
    }),
    { numRuns: 400 },
  );
});

test('random text never makes Intel HEX reading throw; HEX round-trips', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (s) => {
      const r = fromIntelHex(s);
      assert.equal(typeof r.ok, 'boolean');
    }),
  );
  fc.assert(
    fc.property(fc.array(fc.record({ address: fc.integer({ min: 0, max: 0x3_0000 }), bytes: fc.uint8Array({ minLength: 1, maxLength: 70 }) }), { minLength: 1, maxLength: 4 }), (segs) => {
      const flat = new Map<number, number>();
      for (const s of segs) s.bytes.forEach((b, i) => flat.set(s.address + i, b));
      const r = fromIntelHex(toIntelHex(segs));
      assert.ok(r.ok);
      if (!r.ok) return;
      for (const [a, b] of flat) assert.equal(r.image.bytes[a - r.image.baseAddress], b);
      assert.equal(r.image.baseAddress, Math.min(...flat.keys()));
    }),
  );
});

test('random key files are refused with SW_ERR_KEY_INVALID, never another throw', () => {
  fc.assert(
    fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 200 }).map((b) => Uint8Array.from([0x30, 0x81, b.length & 0x7f, ...b]))), (b) => {
      try {
        loadKey(b, nodeCrypto);
      } catch (e) {
        assert.ok(isSlotwiseError(e, 'SW_ERR_KEY_INVALID'), String(e));
      }
    }),
  );
});
