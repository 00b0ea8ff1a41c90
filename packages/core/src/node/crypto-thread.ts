/**
 * @module node/crypto-thread
 * A CryptoPort that works on a second thread while the caller hashes an image:
 * - verifyAhead: checks the signature over the digest the hash TLV claims; the caller uses the
 *   verdict only once its own digest equals the claim;
 * - signAhead: makes an ECDSA nonce and its point (the digest-independent half of a signature);
 *   the caller finishes the signature with one multiplication once it has the digest.
 * On two cores, signing or verifying an image then costs about one hash. For long-lived
 * processes (the server, benchmarks): starting the thread takes tens of milliseconds, more than
 * it saves a one-shot command.
 *
 * The threads share one request slot in a SharedArrayBuffer and meet with Atomics.wait/notify,
 * so callers stay synchronous. Anything unexpected (thread not started yet, busy, dead, a
 * request too large) makes the ahead call return null or its answer fall back to this thread.
 */
import { Worker } from 'node:worker_threads';
import type { AheadRequest, CryptoPort, SignAheadRequest, SignatureScheme } from '../crypto/port.js';
import { canVerifyDigest, ecdsaScalarOf, nodeCrypto } from './crypto.js';
import { decodeNonce, encodeNonce, finishSignature, randomNonce, type PrehashCurve } from './ecdsa-prehash.js';

const SCHEMES: readonly SignatureScheme[] = ['ecdsa-p256', 'ecdsa-p384', 'rsa-pss', 'ed25519'];
const CURVES: readonly PrehashCurve[] = ['prime256v1', 'secp384r1'];

// Control words (Int32) at the start of the shared buffer; request and answer bytes follow.
const STATE = 0;
const READY = 1;
const OP = 2;
const ARG = 3; // scheme index (verify) or curve index (nonce)
const KEY_LEN = 4;
const DIGEST_LEN = 5;
const SIG_LEN = 6;
const CONTROL_BYTES = 32;
const DATA_BYTES = 8192;

const IDLE = 0;
const REQUEST = 1;
const VALID = 2;
const INVALID = 3;
const FAILED = 4;
const CLOSE = 5;
const ANSWERED = 6;

const OP_VERIFY = 1;
const OP_NONCE = 2;

/** A worker that has not answered in this long is treated as gone. */
const ANSWER_TIMEOUT_MS = 2000;

/**
 * The module the worker loads: this one, compiled. Under a TypeScript loader (tests, benches)
 * this file is src/…/crypto-thread.ts, which a worker thread cannot load; its dist/ twin is
 * what `tsc -b` (run by `npm test` and `npm run build`) emits, and what other packages import.
 */
function workerModule(): string {
  const self = import.meta.url;
  if (!self.endsWith('.ts')) return self;
  const at = self.lastIndexOf('/src/');
  return `${self.slice(0, at)}/dist/${self.slice(at + 5, -3)}.js`;
}

export interface ThreadedCrypto extends CryptoPort {
  /** Resolves once the thread takes requests (until then the port works on the calling thread). */
  ready(): Promise<void>;
  /** Stops the thread; the port keeps working on the calling thread. */
  close(): Promise<void>;
}

/** nodeCrypto plus verifyAhead and signAhead on a worker thread. */
export function createThreadedCrypto(): ThreadedCrypto {
  const shared = new SharedArrayBuffer(CONTROL_BYTES + DATA_BYTES);
  const control = new Int32Array(shared, 0, CONTROL_BYTES / 4);
  const data = new Uint8Array(shared, CONTROL_BYTES);
  const worker = new Worker(
    "const { workerData } = require('node:worker_threads'); import(workerData.module).then((m) => m.serveCryptoRequests(workerData.shared));",
    { eval: true, workerData: { module: workerModule(), shared } },
  );
  worker.unref();
  let usable = true;
  worker.on('error', () => (usable = false));
  worker.on('exit', () => (usable = false));

  const free = (): boolean => usable && Atomics.load(control, READY) === 1 && Atomics.load(control, STATE) === IDLE;
  const submit = (): void => {
    Atomics.store(control, STATE, REQUEST);
    Atomics.notify(control, STATE);
  };
  /** Waits for the answer; the final state, or REQUEST if the thread is gone. The slot is free after. */
  const collect = (): number => {
    if (Atomics.load(control, STATE) === REQUEST && Atomics.wait(control, STATE, REQUEST, ANSWER_TIMEOUT_MS) === 'timed-out') usable = false;
    const state = Atomics.load(control, STATE);
    if (state !== REQUEST) Atomics.store(control, STATE, IDLE);
    return state;
  };

  function verifyAhead(request: AheadRequest): (() => boolean) | null {
    const total = request.key.spki.length + request.digest.length + request.signature.length;
    if (!free() || total > DATA_BYTES || !canVerifyDigest(request.scheme, request.digest.length)) return null;
    control[OP] = OP_VERIFY;
    control[ARG] = SCHEMES.indexOf(request.scheme);
    control[KEY_LEN] = request.key.spki.length;
    control[DIGEST_LEN] = request.digest.length;
    control[SIG_LEN] = request.signature.length;
    data.set(request.key.spki, 0);
    data.set(request.digest, request.key.spki.length);
    data.set(request.signature, request.key.spki.length + request.digest.length);
    submit();
    return () => {
      const state = collect();
      if (state === VALID || state === INVALID) return state === VALID;
      return nodeCrypto.verify({ ...request, message: request.scheme === 'ed25519' ? request.digest : new Uint8Array(0) });
    };
  }

  function signAhead(request: SignAheadRequest): ((digest: Uint8Array | null) => Uint8Array | null) | null {
    const ecdsa = ecdsaScalarOf(request.scheme, request.key);
    if (ecdsa === null || !free()) return null;
    const size = ecdsa.curve === 'prime256v1' ? 32 : 48;
    control[OP] = OP_NONCE;
    control[ARG] = CURVES.indexOf(ecdsa.curve);
    submit();
    return (digest) => {
      const state = collect();
      if (state !== ANSWERED || digest === null || digest.length !== size) return null;
      return finishSignature(ecdsa.curve, ecdsa.d, digest, decodeNonce(ecdsa.curve, data.subarray(0, 2 * size)));
    };
  }

  return {
    ...nodeCrypto,
    verifyAhead,
    signAhead,
    async ready() {
      while (usable && Atomics.load(control, READY) !== 1) await new Promise((resolve) => setTimeout(resolve, 2));
      if (!usable) throw new Error('the crypto thread did not start');
    },
    async close() {
      usable = false;
      worker.ref();
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      Atomics.store(control, STATE, CLOSE);
      Atomics.notify(control, STATE);
      await exited;
    },
  };
}

function serveVerify(control: Int32Array, data: Uint8Array, keys: Map<string, Uint8Array>): number {
  const scheme = SCHEMES[control[ARG] as number] as SignatureScheme;
  const keyLen = control[KEY_LEN] as number;
  const digestLen = control[DIGEST_LEN] as number;
  const keyBytes = data.slice(0, keyLen);
  // Stable key bytes per key, so nodeCrypto's KeyObject cache hits.
  const id = Buffer.from(keyBytes).toString('hex');
  let spki = keys.get(id);
  if (!spki) {
    if (keys.size >= 64) keys.clear();
    spki = keyBytes;
    keys.set(id, spki);
  }
  const digest = data.slice(keyLen, keyLen + digestLen);
  const signature = data.slice(keyLen + digestLen, keyLen + digestLen + (control[SIG_LEN] as number));
  const ok = nodeCrypto.verify({ scheme, key: { spki }, message: scheme === 'ed25519' ? digest : new Uint8Array(0), digest, signature });
  return ok ? VALID : INVALID;
}

function serveNonce(control: Int32Array, data: Uint8Array): number {
  const curve = CURVES[control[ARG] as number] as PrehashCurve;
  data.set(encodeNonce(curve, randomNonce(curve)), 0);
  return ANSWERED;
}

/** The worker's loop (runs on the second thread). */
export function serveCryptoRequests(shared: SharedArrayBuffer): void {
  const control = new Int32Array(shared, 0, CONTROL_BYTES / 4);
  const data = new Uint8Array(shared, CONTROL_BYTES);
  const keys = new Map<string, Uint8Array>();
  Atomics.store(control, READY, 1);
  for (;;) {
    let state = Atomics.load(control, STATE);
    while (state !== REQUEST && state !== CLOSE) {
      Atomics.wait(control, STATE, state);
      state = Atomics.load(control, STATE);
    }
    if (state === CLOSE) return;
    let answer = FAILED;
    try {
      answer = control[OP] === OP_NONCE ? serveNonce(control, data) : serveVerify(control, data, keys);
    } catch {
      answer = FAILED;
    }
    Atomics.store(control, STATE, answer);
    Atomics.notify(control, STATE);
  }
}
