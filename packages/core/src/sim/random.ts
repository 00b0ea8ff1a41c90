/**
 * @module sim/random
 * The randomness port: seeded and splittable, so that adding device #1001 to a fleet changes
 * nothing for devices 1..1000 (each takes `root.fork('device-1001')`).
 * Generator: SplitMix32-style mixing over a 32-bit state; forks hash (parent seed, label) with
 * FNV-1a so a label names a stream independently of how many numbers the parent has drawn.
 */

export interface Random {
  /** Uniform integer in [0, 2^32). */
  u32(): number;
  /** Uniform float in [0, 1). */
  float(): number;
  /** Uniform integer in [0, n). */
  below(n: number): number;
  /** An independent stream derived from (this stream's seed, label). */
  fork(label: string): Random;
  /** The seed this stream started from. */
  readonly seed: number;
}

function fnv1a(seed: number, label: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

function mix(x: number): number {
  let z = x >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/** Creates a seeded Random. The same seed always yields the same sequence. */
export function createRandom(seed: number): Random {
  if (!Number.isInteger(seed)) throw new TypeError(`createRandom: expected an integer seed, got ${seed}`);
  const start = seed >>> 0;
  let state = start;
  const u32 = (): number => {
    state = (state + 0x9e3779b9) >>> 0;
    return mix(state);
  };
  return {
    seed: start,
    u32,
    float: () => u32() / 0x1_0000_0000,
    below(n) {
      if (!(n > 0) || !Number.isInteger(n)) throw new RangeError(`below: expected a positive integer, got ${n}`);
      return Math.floor((u32() / 0x1_0000_0000) * n);
    },
    fork: (label) => createRandom(mix(fnv1a(start, label))),
  };
}
