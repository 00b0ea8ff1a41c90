/**
 * @module image/der
 * The small part of ASN.1 DER needed to recognise key files (PKCS#1, PKCS#8, SEC1,
 * SubjectPublicKeyInfo) and to build the SubjectPublicKeyInfo around an RSA key. Strict:
 * definite, minimal lengths only. Throws DerError; keys.ts turns it into a typed error.
 */

export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerError';
  }
}

export interface DerNode {
  readonly tag: number;
  /** The whole encoding (tag + length + value). */
  readonly raw: Uint8Array;
  readonly value: Uint8Array;
}

/** Reads one DER element at `offset`; returns it and the offset after it. */
export function readDer(bytes: Uint8Array, offset = 0): { node: DerNode; next: number } {
  if (offset + 2 > bytes.length) throw new DerError('der: element header runs past the end');
  const tag = bytes[offset] as number;
  if ((tag & 0x1f) === 0x1f) throw new DerError('der: multi-byte tags are not used in key files');
  let len = bytes[offset + 1] as number;
  let p = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    // More than 4 length bytes cannot describe a key file and would overflow.
    if (n === 0 || n > 4) throw new DerError('der: indefinite or oversized length');
    if (p + n > bytes.length) throw new DerError('der: length bytes run past the end');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (bytes[p + i] as number);
    if (len < 0x80 || (bytes[p] as number) === 0) throw new DerError('der: non-minimal length');
    p += n;
  }
  if (p + len > bytes.length) throw new DerError('der: value runs past the end');
  return { node: { tag, raw: bytes.subarray(offset, p + len), value: bytes.subarray(p, p + len) }, next: p + len };
}

/** Reads exactly one element covering all of `bytes`. */
export function readDerExact(bytes: Uint8Array): DerNode {
  const { node, next } = readDer(bytes, 0);
  if (next !== bytes.length) throw new DerError('der: trailing bytes after the element');
  return node;
}

/** The children of a constructed element (SEQUENCE, context tags). */
export function derChildren(node: DerNode): DerNode[] {
  const out: DerNode[] = [];
  let off = 0;
  while (off < node.value.length) {
    const { node: child, next } = readDer(node.value, off);
    out.push(child);
    off = next;
  }
  return out;
}

/** Dotted form of an OBJECT IDENTIFIER value. */
export function decodeOid(value: Uint8Array): string {
  if (value.length === 0) throw new DerError('der: empty OID');
  const first = value[0] as number;
  const parts: number[] = [Math.min(2, Math.floor(first / 40)), first - 40 * Math.min(2, Math.floor(first / 40))];
  let acc = 0;
  for (let i = 1; i < value.length; i++) {
    const b = value[i] as number;
    acc = acc * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      parts.push(acc);
      acc = 0;
    }
  }
  return parts.join('.');
}

function encodeLength(n: number): Uint8Array {
  if (n < 0x80) return new Uint8Array([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return new Uint8Array([0x80 | bytes.length, ...bytes]);
}

/** Encodes one element from a tag and its value. */
export function encodeDer(tag: number, value: Uint8Array): Uint8Array {
  const len = encodeLength(value.length);
  const out = new Uint8Array(1 + len.length + value.length);
  out[0] = tag;
  out.set(len, 1);
  out.set(value, 1 + len.length);
  return out;
}

export const DerTag = { INTEGER: 0x02, BIT_STRING: 0x03, OCTET_STRING: 0x04, NULL: 0x05, OID: 0x06, SEQUENCE: 0x30, CONTEXT_0: 0xa0, CONTEXT_1: 0xa1 } as const;
