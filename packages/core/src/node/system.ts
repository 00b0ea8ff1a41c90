/**
 * @module node/system
 * Real-world implementations of the core's ports for Node.js edges (CLI, server, device
 * driver in real time). Nothing in the pure core imports this module.
 */
import { randomInt } from 'node:crypto';
import type { Clock } from '../sim/clock.js';
import { createRandom, type Random } from '../sim/random.js';

/** The wall clock, in milliseconds since the Unix epoch. */
export const systemClock: Clock = { nowMs: () => Date.now() };

/** A Random seeded from the operating system, for runs that need no replay. */
export function createSystemRandom(): Random {
  return createRandom(randomInt(0, 0x7fff_ffff));
}
