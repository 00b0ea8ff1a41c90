/**
 * @module sim/pacer
 * Runs a fleet against a real clock: virtual time advances at `speedup` times wall time, so a
 * live demo (or a real server over HTTP) sees requests when it would in the field, faster.
 */
import type { Pacer } from '@slotwise/core/fleet/index';

export function createWallClockPacer(speedup: number, now: () => number = () => performance.now(), sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms))): Pacer {
  if (!(speedup > 0)) throw new RangeError(`createWallClockPacer: expected a positive speedup, got ${speedup}`);
  const start = now();
  return {
    async waitUntil(virtualMs) {
      const due = start + virtualMs / speedup;
      const wait = due - now();
      if (wait > 1) await sleep(wait);
    },
  };
}
