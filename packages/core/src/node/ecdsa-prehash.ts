/**
 * @module node/ecdsa-prehash
 * ECDSA (P-256, P-384) over a digest the caller already has, so signing or verifying an image
 * does not hash its bytes a second time: node:crypto only offers digest-sign, which hashes the
 * whole message inside OpenSSL. The elliptic-curve scalar multiplications stay in OpenSSL
 * (ECDH: k·G, and u·T); only the scalar arithmetic mod n and one point addition are done here.
 * A nonce is hedged (mixes the key, the digest and fresh randomness) when made with the digest,
 * or random when made ahead of it (randomNonce, on another thread while the image is hashed);
 * the one modular inversion that involves it is blinded. The signatures are plain ECDSA (SEC 1 §4.1):
 * OpenSSL, mbedTLS and tinycrypt verify them; tests check every one against OpenSSL.
 */
import { createECDH, createHmac, randomBytes, type ECDH } from 'node:crypto';

export type PrehashCurve = 'prime256v1' | 'secp384r1';

interface Curve {
  readonly name: PrehashCurve;
  /** Field prime, group order, coefficient b (a = −3 for both curves). */
  readonly p: bigint;
  readonly n: bigint;
  readonly b: bigint;
  readonly bytes: number;
  /** One ECDH context per curve: OpenSSL does the point multiplications. */
  readonly ecdh: ECDH;
}

const CURVES: Record<PrehashCurve, Omit<Curve, 'ecdh'>> = {
  prime256v1: {
    name: 'prime256v1',
    p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
    n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
    b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
    bytes: 32,
  },
  secp384r1: {
    name: 'secp384r1',
    p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
    n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
    b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
    bytes: 48,
  },
};

const contexts = new Map<PrehashCurve, Curve>();

function curveOf(name: PrehashCurve): Curve {
  let c = contexts.get(name);
  if (!c) {
    c = { ...CURVES[name], ecdh: createECDH(name) };
    contexts.set(name, c);
  }
  return c;
}

const hexOf = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

function toBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt('0x' + hexOf(bytes));
}

function toBytes(v: bigint, length: number): Buffer {
  return Buffer.from(v.toString(16).padStart(length * 2, '0'), 'hex');
}

const mod = (a: bigint, m: bigint): bigint => {
  const r = a % m;
  return r < 0n ? r + m : r;
};

/** Inverse of a (non-zero mod m, m prime) by the extended Euclidean algorithm. */
function invert(a: bigint, m: bigint): bigint {
  let [r0, r1] = [mod(a, m), m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return mod(s0, m);
}

/** SEC 1 §4.1.3 step 5: the leftmost bits of the digest, as many as the order has. */
function digestScalar(c: Curve, digest: Uint8Array): bigint {
  const e = toBigInt(digest);
  const excess = digest.length * 8 - c.bytes * 8;
  return excess > 0 ? e >> BigInt(excess) : e;
}

/** x and y of k·G, from OpenSSL. */
function multiplyBase(c: Curve, k: bigint): { x: bigint; y: bigint } {
  c.ecdh.setPrivateKey(toBytes(k, c.bytes));
  const pub = c.ecdh.getPublicKey();
  return { x: toBigInt(pub.subarray(1, 1 + c.bytes)), y: toBigInt(pub.subarray(1 + c.bytes)) };
}

function derInteger(v: bigint): number[] {
  let hex = v.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  const bytes = [...Buffer.from(hex, 'hex')];
  if ((bytes[0] as number) & 0x80) bytes.unshift(0);
  return [0x02, bytes.length, ...bytes];
}

/** DER `SEQUENCE { INTEGER r, INTEGER s }` (at most 104 bytes for P-384, so short lengths). */
function encodeSignature(r: bigint, s: bigint): Uint8Array {
  const body = [...derInteger(r), ...derInteger(s)];
  return Uint8Array.from([0x30, body.length, ...body]);
}

/** Strict DER, as OpenSSL accepts it: minimal lengths and integers, nothing after the sequence. */
function decodeSignature(sig: Uint8Array): { r: bigint; s: bigint } | null {
  if (sig.length < 8 || sig[0] !== 0x30 || sig[1] !== sig.length - 2 || (sig[1] as number) >= 0x80) return null;
  let at = 2;
  const ints: bigint[] = [];
  for (let i = 0; i < 2; i++) {
    if (sig[at] !== 0x02) return null;
    const len = sig[at + 1] as number;
    if (len === 0 || len >= 0x80 || at + 2 + len > sig.length) return null;
    const v = sig.subarray(at + 2, at + 2 + len);
    if ((v[0] as number) & 0x80) return null;
    if (len > 1 && v[0] === 0 && !((v[1] as number) & 0x80)) return null;
    ints.push(toBigInt(v));
    at += 2 + len;
  }
  if (at !== sig.length) return null;
  return { r: ints[0] as bigint, s: ints[1] as bigint };
}

/** The digest-independent half of a signature: r = x(k·G) mod n and k⁻¹, for one nonce k. */
export interface EcdsaNonce {
  readonly r: bigint;
  readonly kInverse: bigint;
}

/** The nonce half for k, or null in the (negligible) case r = 0. The inversion is blinded. */
function nonceOf(c: Curve, k: bigint, blind: bigint): EcdsaNonce | null {
  const r = mod(multiplyBase(c, k).x, c.n);
  if (r === 0n) return null;
  return { r, kInverse: mod(invert(k * blind, c.n) * blind, c.n) };
}

/** r ‖ k⁻¹ as fixed-length bytes, to hand a nonce between threads. */
export function encodeNonce(curve: PrehashCurve, nonce: EcdsaNonce): Uint8Array {
  const size = CURVES[curve].bytes;
  return Buffer.concat([toBytes(nonce.r, size), toBytes(nonce.kInverse, size)]);
}

export function decodeNonce(curve: PrehashCurve, bytes: Uint8Array): EcdsaNonce {
  const size = CURVES[curve].bytes;
  return { r: toBigInt(bytes.subarray(0, size)), kInverse: toBigInt(bytes.subarray(size, 2 * size)) };
}

/** A nonce from fresh randomness alone (it may be made before the digest is known). */
export function randomNonce(curve: PrehashCurve): EcdsaNonce {
  const c = curveOf(curve);
  for (;;) {
    const fresh = randomBytes(2 * (c.bytes + 16));
    const nonce = nonceOf(c, mod(toBigInt(fresh.subarray(0, c.bytes + 16)), c.n - 1n) + 1n, mod(toBigInt(fresh.subarray(c.bytes + 16)), c.n - 1n) + 1n);
    if (nonce) return nonce;
  }
}

/** s = k⁻¹(e + r·d) mod n and the DER signature; null in the (negligible) case s = 0. */
export function finishSignature(curve: PrehashCurve, d: Uint8Array, digest: Uint8Array, nonce: EcdsaNonce): Uint8Array | null {
  const c = curveOf(curve);
  const s = mod(nonce.kInverse * (digestScalar(c, digest) + mod(nonce.r * toBigInt(d), c.n)), c.n);
  return s === 0n ? null : encodeSignature(nonce.r, s);
}

/** The ECDSA signature (DER) of `digest` with private scalar `d` (big-endian bytes). */
export function signDigest(curve: PrehashCurve, d: Uint8Array, digest: Uint8Array): Uint8Array {
  const c = curveOf(curve);
  for (;;) {
    const fresh = randomBytes(32 + c.bytes + 16);
    // Hedged nonce: unique per (key, digest) even with a weak random source, unpredictable with a good one.
    const k = mod(toBigInt(createHmac('sha512', d).update(digest).update(fresh.subarray(0, 32)).digest()), c.n - 1n) + 1n;
    const nonce = nonceOf(c, k, mod(toBigInt(fresh.subarray(32)), c.n - 1n) + 1n);
    const signature = nonce && finishSignature(curve, d, digest, nonce);
    if (signature) return signature;
  }
}

/**
 * True iff `signature` (DER) is a valid ECDSA signature of `digest` under the public point
 * (uncompressed 04‖x‖y). R = u1·G + u2·Q is computed as u2·(Q + (e/r)·G): one base-point
 * multiplication, one point addition here, one ECDH multiplication whose x-coordinate is R's.
 */
export function verifyDigest(curve: PrehashCurve, publicPoint: Uint8Array, digest: Uint8Array, signature: Uint8Array): boolean {
  const c = curveOf(curve);
  if (publicPoint.length !== 1 + 2 * c.bytes || publicPoint[0] !== 0x04) return false;
  const rs = decodeSignature(signature);
  if (!rs) return false;
  const { r, s } = rs;
  if (r <= 0n || r >= c.n || s <= 0n || s >= c.n) return false;
  const e = mod(digestScalar(c, digest), c.n);
  const rsInverse = invert(r * s, c.n);
  const w = mod(e * s * rsInverse, c.n); // e / r
  const u2 = mod(r * r * rsInverse, c.n); // r / s
  const qx = toBigInt(publicPoint.subarray(1, 1 + c.bytes));
  const qy = toBigInt(publicPoint.subarray(1 + c.bytes));
  if (qx >= c.p || qy >= c.p || !isOnCurve(curve, qx, qy)) return false;
  let t: { x: bigint; y: bigint } | null = { x: qx, y: qy };
  if (w !== 0n) t = addPoints(c, { x: qx, y: qy }, multiplyBase(c, w));
  if (t === null) return false;
  c.ecdh.setPrivateKey(toBytes(u2, c.bytes));
  const point = Buffer.from('04' + t.x.toString(16).padStart(2 * c.bytes, '0') + t.y.toString(16).padStart(2 * c.bytes, '0'), 'hex');
  let rx: bigint;
  try {
    rx = toBigInt(c.ecdh.computeSecret(point));
  } catch {
    return false; // OpenSSL refuses the point; cannot happen for T on the curve
  }
  return mod(rx, c.n) === r;
}

/** Affine P + Q (either may equal the other); null for the point at infinity. */
function addPoints(c: Curve, a: { x: bigint; y: bigint }, b: { x: bigint; y: bigint }): { x: bigint; y: bigint } | null {
  const { p } = c;
  let lambda: bigint;
  if (a.x === b.x) {
    if (mod(a.y + b.y, p) === 0n) return null;
    lambda = mod((3n * a.x * a.x - 3n) * invert(2n * a.y, p), p);
  } else {
    lambda = mod((b.y - a.y) * invert(b.x - a.x, p), p);
  }
  const x = mod(lambda * lambda - a.x - b.x, p);
  return { x, y: mod(lambda * (a.x - x) - a.y, p) };
}

/** Whether (x, y) satisfies y² = x³ − 3x + b; exported for tests of the curve constants. */
export function isOnCurve(curve: PrehashCurve, x: bigint, y: bigint): boolean {
  const c = curveOf(curve);
  return mod(y * y - (x * x * x - 3n * x + c.b), c.p) === 0n;
}
