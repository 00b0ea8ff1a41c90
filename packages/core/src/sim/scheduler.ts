/**
 * @module sim/scheduler
 * The discrete-event kernel: a virtual clock plus a queue of events ordered by
 * (atMs, insertion seq), so events due at the same instant run in the order they were
 * scheduled. Single-threaded and synchronous: an event runs to completion before the next
 * one starts, and time only moves when the next event is taken. Owns no domain knowledge.
 */
import type { Clock } from './clock.js';

/** Handle of a scheduled event; unique per scheduler, never reused. */
export type TimerId = number;

/** The scheduling port (STYLE.md §4.4): what simulated components are given. */
export interface Scheduler extends Clock {
  /** Runs `run` at virtual time `atMs` (>= now). */
  at(atMs: number, run: () => void): TimerId;
  /** Runs `run` `delayMs` (>= 0) after now. */
  after(delayMs: number, run: () => void): TimerId;
  /** Cancels a pending event; cancelling a fired or unknown id does nothing. */
  cancel(id: TimerId): void;
}

/** The kernel itself: a Scheduler the owner of the simulation also steps. */
export interface SimScheduler extends Scheduler {
  /** Time of the next pending event, or undefined when the queue is empty. */
  nextAtMs(): number | undefined;
  /** Runs the next pending event (advancing the clock to it); false when none is pending. */
  runNext(): boolean;
  /**
   * Runs every event due at or before `atMs` (including events those events schedule),
   * then leaves the clock at `atMs`. Returns the number of events run.
   */
  runUntil(atMs: number): number;
  /** Number of pending (not cancelled) events. */
  pending(): number;
}

interface Entry {
  readonly atMs: number;
  readonly seq: number;
  readonly run: () => void;
}

function before(a: Entry, b: Entry): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
}

/** Creates a kernel whose clock starts at `startMs`. */
export function createScheduler(startMs = 0): SimScheduler {
  if (!Number.isFinite(startMs)) throw new RangeError(`createScheduler: expected a finite start time, got ${startMs}`);
  let now = startMs;
  let nextSeq = 0;
  const heap: Entry[] = [];
  // Cancellation is lazy: the entry stays in the heap and is skipped when it surfaces.
  const live = new Set<number>();

  const push = (e: Entry): void => {
    heap.push(e);
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(heap[i]!, heap[p]!)) break;
      [heap[i], heap[p]] = [heap[p]!, heap[i]!];
      i = p;
    }
  };
  const pop = (): Entry | undefined => {
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined) return undefined;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  };
  const dropCancelled = (): void => {
    while (heap.length > 0 && !live.has(heap[0]!.seq)) pop();
  };

  const at = (atMs: number, run: () => void): TimerId => {
    if (!Number.isFinite(atMs) || atMs < now) {
      throw new RangeError(`scheduler.at: expected a finite time >= ${now}, got ${atMs}`);
    }
    const seq = nextSeq++;
    live.add(seq);
    push({ atMs, seq, run });
    return seq;
  };

  const self: SimScheduler = {
    nowMs: () => now,
    at,
    after(delayMs, run) {
      if (!(delayMs >= 0)) throw new RangeError(`scheduler.after: expected a delay >= 0, got ${delayMs}`);
      return at(now + delayMs, run);
    },
    cancel(id) {
      live.delete(id);
    },
    nextAtMs() {
      dropCancelled();
      return heap[0]?.atMs;
    },
    runNext() {
      dropCancelled();
      const e = pop();
      if (e === undefined) return false;
      live.delete(e.seq);
      now = e.atMs;
      e.run();
      return true;
    },
    runUntil(atMs) {
      if (!(atMs >= now)) throw new RangeError(`scheduler.runUntil: expected a time >= ${now}, got ${atMs}`);
      let n = 0;
      for (;;) {
        const next = self.nextAtMs();
        if (next === undefined || next > atMs) break;
        self.runNext();
        n++;
      }
      now = atMs;
      return n;
    },
    pending: () => live.size,
  };
  return self;
}
