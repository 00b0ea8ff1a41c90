/**
 * @module bytes/hex
 * Hex text <-> bytes, and a spaced-hex template tag for readable test fixtures.
 */

const HEX = '0123456789abcdef';

/** Lower-case hex of `bytes`, no separators. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    out += HEX[b >> 4]! + HEX[b & 15]!;
  }
  return out;
}

/** Parses hex text (whitespace allowed between digit pairs). Throws RangeError on bad input. */
export function fromHex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  if (clean.length % 2 !== 0) throw new RangeError(`fromHex: expected an even number of hex digits, got ${clean.length}`);
  if (!/^[0-9a-fA-F]*$/.test(clean)) throw new RangeError('fromHex: expected only hex digits');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Template tag: hex`3d b8 f3 96` → Uint8Array. */
export function hex(strings: TemplateStringsArray, ...values: unknown[]): Uint8Array {
  let s = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) s += String(values[i]) + (strings[i + 1] ?? '');
  return fromHex(s);
}

/** Constant-time-agnostic byte equality (images are public; no secret comparisons here). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Concatenates byte arrays into a new one. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
