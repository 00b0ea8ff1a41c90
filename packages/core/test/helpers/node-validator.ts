/**
 * Test-only SlotValidator on node:crypto: MCUboot's bootutil_img_validate for SHA-256 images,
 * optionally with KEYHASH + ECDSA P-256 (image_validate.c). Used until the image module's
 * verifier is wired in as the default validator.
 */
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { SlotValidator } from '../../src/boot/validate.js';

const u16 = (b: Uint8Array, at: number): number => (b[at] as number) | ((b[at + 1] as number) << 8);
const u32 = (b: Uint8Array, at: number): number => (u16(b, at) | (u16(b, at + 2) << 16)) >>> 0;

export function createNodeValidator(opts: { signature: 'hash-sha256' | 'ecdsa-p256'; publicKeyPem?: string }): SlotValidator {
  let key: KeyObject | undefined;
  let keyHash: Buffer | undefined;
  if (opts.signature === 'ecdsa-p256') {
    if (opts.publicKeyPem === undefined) throw new TypeError('ecdsa-p256 validator needs a public key');
    key = createPublicKey(opts.publicKeyPem);
    keyHash = createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest();
  }
  const verified = new Map<string, boolean>();
  const verifyCached = (region: Uint8Array, digest: Buffer, sig: Uint8Array): boolean => {
    const k = digest.toString('hex') + Buffer.from(sig).toString('hex');
    let ok = verified.get(k);
    if (ok === undefined) {
      ok = verify('sha256', region, { key: key as KeyObject, dsaEncoding: 'der' }, sig);
      verified.set(k, ok);
    }
    return ok;
  };
  return {
    validate(image) {
      if (image.length < 32) return { valid: false, reason: 'TRUNCATED', detail: 'slot smaller than a header' };
      const hdrSize = u16(image, 8);
      const prot = u16(image, 10);
      const imgSize = u32(image, 12);
      const t = hdrSize + imgSize;
      if (t + prot + 4 > image.length) return { valid: false, reason: 'TRUNCATED', detail: 'TLV area outside the slot' };
      const region = image.subarray(0, t + prot);
      const digest = createHash('sha256').update(region).digest();
      let p = t;
      if (u16(image, p) === 0x6908) {
        if (u16(image, p + 2) !== prot) return { valid: false, reason: 'INVALID_TLV_INFO_MAGIC', detail: 'protected TLV size mismatch' };
        p += prot;
      } else if (prot !== 0) return { valid: false, reason: 'INVALID_TLV_INFO_MAGIC', detail: 'protected TLV area missing' };
      if (u16(image, p) !== 0x6907) return { valid: false, reason: 'INVALID_TLV_INFO_MAGIC', detail: 'no unprotected TLV area' };
      const end = p + u16(image, p + 2);
      if (end > image.length) return { valid: false, reason: 'TRUNCATED', detail: 'TLV area runs past the slot' };
      let q = t + 4;
      let hashOk = false;
      let sigOk: boolean | undefined;
      let selected = false;
      while (q < end) {
        if (prot > 0 && q === t + prot) { q += 4; continue; }
        if (q + 4 > end) return { valid: false, reason: 'INVALID_TLV', detail: 'entry header past the end' };
        const type = u16(image, q);
        const len = u16(image, q + 2);
        if (q + 4 + len > end) return { valid: false, reason: 'INVALID_TLV', detail: 'entry past the end' };
        const body = image.subarray(q + 4, q + 4 + len);
        if (type === 0x10) {
          if (len !== 32 || !Buffer.from(body).equals(digest)) return { valid: false, reason: 'INVALID_HASH', detail: 'SHA-256 does not match' };
          hashOk = true;
        } else if (type === 0x01 && keyHash !== undefined) {
          selected = len <= 32 && Buffer.from(body).equals(keyHash.subarray(0, len));
        } else if (type === 0x22 && key !== undefined) {
          if (selected) {
            sigOk = verifyCached(region, digest, body);
            selected = false;
          }
        }
        q += 4 + len;
      }
      if (!hashOk) return { valid: false, reason: 'INVALID_HASH', detail: 'no matching SHA-256 TLV' };
      if (key !== undefined && sigOk !== true) return { valid: false, reason: 'INVALID_SIGNATURE', detail: sigOk === undefined ? 'no signature by a known key' : 'ECDSA P-256 signature does not verify' };
      return { valid: true, detail: key !== undefined ? 'SHA-256 and ECDSA P-256 signature verified' : 'SHA-256 verified' };
    },
  };
}
