/**
 * @module sim/clock
 * The time port. Core logic reads time only through a Clock it is given; the wall clock
 * lives at the edges (`@slotwise/core/node/system`), virtual time in the simulator.
 */

/** Milliseconds since an arbitrary epoch; never decreases. */
export interface Clock {
  nowMs(): number;
}

/** A clock that moves only when told to: for tests and the discrete-event kernel. */
export interface ManualClock extends Clock {
  advanceTo(atMs: number): void;
  advanceBy(deltaMs: number): void;
}

/** Creates a ManualClock starting at `startMs`. Moving it backwards is a RangeError. */
export function createManualClock(startMs = 0): ManualClock {
  let now = startMs;
  return {
    nowMs: () => now,
    advanceTo(atMs) {
      if (atMs < now) throw new RangeError(`advanceTo: expected a time >= ${now}, got ${atMs}`);
      now = atMs;
    },
    advanceBy(deltaMs) {
      if (!(deltaMs >= 0)) throw new RangeError(`advanceBy: expected delta >= 0, got ${deltaMs}`);
      now += deltaMs;
    },
  };
}
