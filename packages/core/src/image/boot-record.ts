/**
 * @module image/boot-record
 * The BOOT_RECORD TLV payload (scripts/imgtool/boot_record.py `create_sw_component_data`):
 * a CBOR map of five entries in this order, as the `cbor2` library writes it:
 * 1 TYPE (text), 4 VERSION ("maj.min.rev", text), 5 SIGNER_ID (bytes), 6 MEASUREMENT_DESCRIPTION
 * (text, e.g. "SHA256"), 2 MEASUREMENT_VALUE (bytes, all zero; the bootloader overwrites the last
 * digest-length bytes with the real digest when it records a measured boot).
 */
import { concatBytes } from '../bytes/hex.js';
import { utf8Encode } from '../bytes/utf8.js';

/** imgtool's MAX_SW_TYPE_LENGTH. */
export const MAX_SW_TYPE_LENGTH = 12;

function cborHead(major: number, length: number): Uint8Array {
  const m = major << 5;
  if (length < 24) return new Uint8Array([m | length]);
  if (length < 0x100) return new Uint8Array([m | 24, length]);
  if (length < 0x10000) return new Uint8Array([m | 25, length >> 8, length & 0xff]);
  return new Uint8Array([m | 26, length >>> 24, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff]);
}

const text = (s: string): Uint8Array => {
  const b = utf8Encode(s);
  return concatBytes(cborHead(3, b.length), b);
};
const bytes = (b: Uint8Array): Uint8Array => concatBytes(cborHead(2, b.length), b);
const uint = (n: number): Uint8Array => cborHead(0, n);

export interface BootRecordInput {
  readonly swType: string;
  /** "major.minor.revision" (no build number). */
  readonly version: string;
  readonly signerId: Uint8Array;
  /** Name of the image hash TLV: SHA256, SHA384 or SHA512. */
  readonly measurementDescription: string;
  readonly digestLength: number;
}

export function encodeBootRecord(r: BootRecordInput): Uint8Array {
  return concatBytes(
    new Uint8Array([0xa5]),
    uint(1), text(r.swType),
    uint(4), text(r.version),
    uint(5), bytes(r.signerId),
    uint(6), text(r.measurementDescription),
    uint(2), bytes(new Uint8Array(r.digestLength)),
  );
}
