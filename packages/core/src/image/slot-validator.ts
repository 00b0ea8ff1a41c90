/**
 * @module image/slot-validator
 * verifyImage in the shape the boot twin's SlotValidator port expects (boot/validate.ts,
 * structurally typed so image/ does not import boot/): judges a slot like
 * `bootutil_img_validate` (image_validate.c) with the bootloader policy, including the
 * `tlv_end <= bootutil_max_image_size` check. Signature results are memoised by (key, digest,
 * signature), since a simulation re-validates the same image at every power-loss point.
 */
import { bytesEqual, toHex } from '../bytes/hex.js';
import type { CryptoPort, VerifyRequest } from '../crypto/port.js';
import type { HashAlgorithm } from '../crypto/port.js';
import type { ImageKey } from './keys.js';
import { verifyImage } from './verify.js';

export interface SlotValidatorOptions {
  readonly crypto: CryptoPort;
  /** The keys built into the bootloader; none for a hash-only build. */
  readonly keys?: ImageKey | readonly ImageKey[];
  /** The image hash the bootloader was built for; default: the image's own hash TLV. */
  readonly hashAlgorithm?: HashAlgorithm;
  /** Memoised signature results kept at most (default 1024). */
  readonly cacheSize?: number;
}

export type SlotValidation = { readonly valid: true; readonly detail: string } | { readonly valid: false; readonly reason: string; readonly detail: string };

/** A CryptoPort whose verify() remembers results for prehashed requests. */
export function withVerifyCache(crypto: CryptoPort, cacheSize = 1024): CryptoPort {
  const cache = new Map<string, { req: VerifyRequest; ok: boolean }>();
  return {
    createHash: (a) => crypto.createHash(a),
    sign: (r) => crypto.sign(r),
    publicKeyOf: (k) => crypto.publicKeyOf(k),
    verify(req) {
      const small = req.message instanceof Uint8Array && req.message.length <= 64 ? req.message : undefined;
      const id = req.digest ?? small;
      if (id === undefined) return crypto.verify(req);
      const key = `${req.scheme}:${toHex(id)}:${toHex(req.signature)}`;
      const hit = cache.get(key);
      // The key bytes are compared too, so two keys never share an entry.
      if (hit && bytesEqual(hit.req.key.spki, req.key.spki)) return hit.ok;
      const ok = crypto.verify(req);
      if (cache.size >= cacheSize) cache.delete(cache.keys().next().value as string);
      cache.set(key, { req, ok });
      return ok;
    },
  };
}

/** A validator for the boot twin: `validate(slotBytesFromImageStart, { maxImageSize })`. */
export function createSlotValidator(options: SlotValidatorOptions): { validate(image: Uint8Array, ctx: { readonly maxImageSize: number }): SlotValidation } {
  const crypto = withVerifyCache(options.crypto, options.cacheSize);
  return {
    validate(image, ctx) {
      const r = verifyImage(image, {
        crypto,
        policy: 'bootloader',
        maxImageSize: ctx.maxImageSize,
        ...(options.keys !== undefined ? { keys: options.keys } : {}),
        ...(options.hashAlgorithm !== undefined ? { hashAlgorithm: options.hashAlgorithm } : {}),
      });
      if (r.ok) return { valid: true, detail: r.signature ? `${r.hashAlgorithm} ok, signed by trusted key #${r.signature.keyIndex}` : `${r.hashAlgorithm} ok (hash only)` };
      return { valid: false, reason: r.reason, detail: r.detail };
    },
  };
}
