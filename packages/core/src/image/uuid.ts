/**
 * @module image/uuid
 * imgtool's `--vid` / `--cid` values (scripts/imgtool/image.py, UUID handling): a canonical
 * `8-4-4-4-12` UUID or 32 hex digits are taken as raw bytes; any other string becomes a
 * UUIDv5 (RFC 4122 §4.3): VID = uuid5(NAMESPACE_DNS, vid), CID = uuid5(VID, cid).
 */
import { fromHex } from '../bytes/hex.js';
import { utf8Encode } from '../bytes/utf8.js';
import type { CryptoPort } from '../crypto/port.js';

/** RFC 4122 NAMESPACE_DNS, 6ba7b810-9dad-11d1-80b4-00c04fd430c8. */
export const NAMESPACE_DNS = fromHex('6ba7b8109dad11d180b400c04fd430c8');

/** Raw bytes if `value` already spells a UUID, else null. */
export function rawUuid(value: string): Uint8Array | null {
  if (/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(value)) return fromHex(value.replace(/-/g, ''));
  if (/^[0-9a-fA-F]{32}$/.test(value)) return fromHex(value);
  return null;
}

export function uuid5(crypto: CryptoPort, namespace: Uint8Array, name: string): Uint8Array {
  const h = crypto.createHash('sha1').update(namespace).update(utf8Encode(name)).digest().slice(0, 16);
  h[6] = ((h[6] as number) & 0x0f) | 0x50;
  h[8] = ((h[8] as number) & 0x3f) | 0x80;
  return h;
}

/** The 16-byte UUID_VID value for a `--vid` argument. */
export function vendorUuid(crypto: CryptoPort, vid: string): Uint8Array {
  return rawUuid(vid) ?? uuid5(crypto, NAMESPACE_DNS, vid);
}

/** The 16-byte UUID_CID value; a name needs the vendor UUID as its namespace. */
export function classUuid(crypto: CryptoPort, cid: string, vendor: Uint8Array | null): Uint8Array | null {
  const raw = rawUuid(cid);
  if (raw) return raw;
  return vendor ? uuid5(crypto, vendor, cid) : null;
}
