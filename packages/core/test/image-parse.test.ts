/**
 * Parsing every imgtool-produced image and checking it against the manifest's independent
 * `layout`: header fields and bytes, body, both TLV areas (type, len, offset, value), hashed
 * region and the hash TLV; plus the key files against the manifest's public-key encodings.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { nodeCrypto } from '../src/node/crypto.js';
import { parseImage } from '../src/image/parse.js';
import { flagNames } from '../src/image/header.js';
import { formatVersion } from '../src/image/version.js';
import { tlvName, type TlvEntry } from '../src/image/tlv.js';
import { loadKey, publicOf } from '../src/image/keys.js';
import { fromIntelHex } from '../src/image/intel-hex.js';
import { toHex } from '../src/bytes/hex.js';
import { imageOkOffset, imgtoolTrailerSize, trailerMagic } from '../src/image/trailer.js';
import { manifest, vectorFile, vectorText, type TlvLayout } from './image-manifest.js';

function asLayout(e: TlvEntry): TlvLayout {
  return { type: e.type, name: tlvName(e.type), len: e.len, offset: e.offset, value_hex: toHex(e.value) };
}

describe('every kind:image vector parses to its manifest layout', () => {
  for (const v of [...manifest.vectors, ...manifest.encrypted]) {
    if (v.kind !== 'image' || !v.layout) continue;
    const L = v.layout;
    test(v.id, () => {
      let bytes: Uint8Array;
      if (v.output.endsWith('.hex')) {
        const h = fromIntelHex(vectorText(v.output));
        assert.ok(h.ok);
        if (!h.ok) return;
        bytes = h.image.bytes;
        assert.equal(h.image.baseAddress, v.hex?.min_addr);
        assert.equal(h.image.baseAddress + bytes.length - 1, v.hex?.max_addr);
        assert.deepEqual(h.image.segments, v.hex?.segments);
        assert.equal(createHash('sha256').update(bytes).digest('hex'), v.hex?.binary_sha256);
      } else {
        bytes = vectorFile(v.output);
      }
      const r = parseImage(bytes);
      if (v.id === 'none-big-endian') {
        // imgtool writes it, but nothing (imgtool verify, dumpinfo, MCUboot) reads big endian.
        assert.ok(!r.ok && r.reason === 'INVALID_MAGIC');
        return;
      }
      assert.ok(r.ok, r.ok ? '' : `${r.reason}: ${r.detail}`);
      if (!r.ok) return;
      const p = r.image;
      const h = p.header;
      assert.deepEqual(
        { magic: h.magic, load_addr: h.loadAddr, hdr_size: h.hdrSize, protected_tlv_size: h.protectTlvSize, img_size: h.imgSize, flags: h.flags, version: h.version, pad1: h.pad1 },
        { magic: L.header.magic, load_addr: L.header.load_addr, hdr_size: L.header.hdr_size, protected_tlv_size: L.header.protected_tlv_size, img_size: L.header.img_size, flags: L.header.flags, version: L.header.version, pad1: L.header.pad1 },
      );
      assert.equal(toHex(bytes.subarray(0, 32)), L.header.header_bytes_hex);
      assert.deepEqual(flagNames(h.flags), L.header.flag_names);
      assert.equal(formatVersion(h.version), L.header.version_str.includes('+') ? L.header.version_str : `${L.header.version_str}+0`);
      assert.deepEqual(p.body, L.body);
      if (L.protected_tlv_info) {
        assert.deepEqual(p.protectedInfo && { offset: p.protectedInfo.offset, magic: p.protectedInfo.magic, tlv_tot: p.protectedInfo.tlvTot }, L.protected_tlv_info);
      } else {
        assert.equal(p.protectedInfo, null);
      }
      const names = (xs: TlvLayout[]): TlvLayout[] => xs.map((x) => ({ ...x, name: x.name }));
      assert.deepEqual(p.protectedTlvs.map(asLayout), names(L.protected_tlvs ?? []));
      assert.deepEqual({ offset: p.unprotectedInfo.offset, magic: p.unprotectedInfo.magic, tlv_tot: p.unprotectedInfo.tlvTot }, L.tlv_info);
      assert.deepEqual(p.unprotectedTlvs.map(asLayout), names(L.tlvs));
      assert.deepEqual(p.hashedRegion, L.hashed_region);
      assert.equal(p.tlvEnd, L.tlv_end);
      const alg = L.hash.alg as 'sha256' | 'sha384' | 'sha512';
      const ours = toHex(nodeCrypto.createHash(alg).update(bytes.subarray(0, p.hashedRegion.length)).digest());
      // Encrypted payloads are hashed as plaintext, so the hash matches only unencrypted files.
      assert.equal(ours === L.hash.hex, L.hash.matches_hashed_region);
      const T = L.trailer;
      if (T) {
        assert.equal(toHex(bytes.subarray(T.magic_offset, T.magic_offset + 16)), T.magic_hex);
        assert.equal(toHex(trailerMagic(T.max_align)), T.magic_hex);
        // Encryption key fields change the trailer math; packages/core/test/encrypt-vectors.test.ts and the CLI tests check those.
        if ((h.flags & 0x0c) === 0) {
          const size = imgtoolTrailerSize({ align: T.write_align, maxAlign: T.max_align, maxSectors: T.max_sectors, overwriteOnly: T.overwrite_only });
          assert.equal(size, T.trailer_size);
          assert.equal(T.slot_size - size, T.trailer_offset);
        }
        if (T.image_ok_offset !== null) assert.equal(imageOkOffset(T.slot_size, T.max_align), T.image_ok_offset);
      }
    });
  }
});

describe('key files load with imgtool public-key encodings', () => {
  for (const k of manifest.keys) {
    if (!k.file.endsWith('.pem')) continue;
    test(k.id, () => {
      const key = loadKey(vectorText(k.file), nodeCrypto);
      assert.equal(key.kind, k.kind);
      assert.equal(key.type, k.type.split(' ')[0]);
      assert.equal(toHex(publicOf(key).imgtoolDer), k.public_der_hex);
      if (k.public_pem) {
        const pub = loadKey(vectorText(k.public_pem), nodeCrypto);
        assert.equal(pub.kind, 'public');
        assert.equal(toHex(publicOf(pub).imgtoolDer), k.public_der_hex);
      }
    });
  }
});
