/**
 * @module device/sample-buffer
 * The Step 8 RAM ring buffer (device.md §13): SAMPLE_BUFFER_SIZE = 32 `sample_record`s with
 * head/tail/count, drop-oldest on overflow inside push (G23). Immutable: every operation
 * returns a new buffer, so snapshots stay plain JSON.
 */

export const SAMPLE_BUFFER_SIZE = 32;

/** `struct sample_record`: a reading in milli-degrees Celsius and its uptime timestamp. */
export interface SampleRecord {
  readonly temp_mdeg: number;
  readonly timestamp_ms: number;
}

/** `struct sample_buffer`: `head` is the oldest record, `tail` the next free slot. */
export interface SampleBuffer {
  readonly slots: readonly (SampleRecord | null)[];
  readonly head: number;
  readonly tail: number;
  readonly count: number;
}

export function createSampleBuffer(capacity = SAMPLE_BUFFER_SIZE): SampleBuffer {
  if (!Number.isInteger(capacity) || capacity < 1 || capacity > 255) {
    throw new RangeError(`createSampleBuffer: expected a capacity in 1..255 (8-bit indices), got ${capacity}`);
  }
  return { slots: new Array<SampleRecord | null>(capacity).fill(null), head: 0, tail: 0, count: 0 };
}

export const isEmpty = (b: SampleBuffer): boolean => b.count === 0;
export const isFull = (b: SampleBuffer): boolean => b.count === b.slots.length;

/** The oldest record without removing it, or undefined when empty. */
export function peekOldest(b: SampleBuffer): SampleRecord | undefined {
  return b.count === 0 ? undefined : (b.slots[b.head] ?? undefined);
}

/** Removes the oldest record (no-op on an empty buffer). */
export function popOldest(b: SampleBuffer): SampleBuffer {
  if (b.count === 0) return b;
  const slots = b.slots.slice();
  slots[b.head] = null;
  return { slots, head: (b.head + 1) % slots.length, tail: b.tail, count: b.count - 1 };
}

/** Appends a record; when full the oldest is dropped first and returned as `dropped`. */
export function pushSample(b: SampleBuffer, rec: SampleRecord): { buffer: SampleBuffer; dropped: SampleRecord | undefined } {
  const dropped = isFull(b) ? peekOldest(b) : undefined;
  const base = dropped === undefined ? b : popOldest(b);
  const slots = base.slots.slice();
  slots[base.tail] = rec;
  return { buffer: { slots, head: base.head, tail: (base.tail + 1) % slots.length, count: base.count + 1 }, dropped };
}

/** The records oldest-first (for inspection and tests). */
export function toArray(b: SampleBuffer): SampleRecord[] {
  const out: SampleRecord[] = [];
  for (let i = 0; i < b.count; i++) out.push(b.slots[(b.head + i) % b.slots.length]!);
  return out;
}
