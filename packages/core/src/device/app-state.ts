/**
 * @module device/app-state
 * The application states of device.md §3, the transition table T1–T13 of §7 as data, and the
 * step backoff of §10. The reducer (step.ts) looks every state change up in TRANSITIONS, so
 * a change the table does not list is impossible by construction (and tested as a property).
 */

/** `enum app_state` in declaration order (ordinal = index); names are the log names of §3. */
export const APP_STATES = ['BOOT', 'SENSOR_INIT', 'NET_INIT', 'IDLE', 'SAMPLE', 'SEND', 'WAIT', 'ERROR'] as const;
export type AppStateName = (typeof APP_STATES)[number];

/** The §3 string helper: the log name for an ordinal, `UNKNOWN` for anything else. */
export function appStateName(ordinal: number): AppStateName | 'UNKNOWN' {
  return APP_STATES[ordinal] ?? 'UNKNOWN';
}

/** Conditions under which a state is left (device.md §7 "Event / condition"). */
export type TransitionCondition =
  | 'TICK'
  | 'SENSOR_INIT_OK'
  | 'SENSOR_INIT_FAIL'
  | 'NET_INIT_OK'
  | 'NET_INIT_FAIL'
  | 'SAMPLE_OK'
  | 'SAMPLE_FAIL'
  | 'BUFFER_EMPTY'
  | 'SEND_OK'
  | 'SEND_FAIL'
  | 'WAIT_ELAPSED';

export interface TransitionRow {
  readonly id: string;
  readonly from: AppStateName;
  readonly on: TransitionCondition;
  /** Target state; `recovery_state` means "whatever app_ctx.recovery_state holds" (T13). */
  readonly to: AppStateName | 'recovery_state';
}

/** device.md §7, rows T1–T13. Actions are in step.ts next to the row id they implement. */
export const TRANSITIONS: readonly TransitionRow[] = [
  { id: 'T1', from: 'BOOT', on: 'TICK', to: 'SENSOR_INIT' },
  { id: 'T2', from: 'SENSOR_INIT', on: 'SENSOR_INIT_OK', to: 'NET_INIT' },
  { id: 'T3', from: 'SENSOR_INIT', on: 'SENSOR_INIT_FAIL', to: 'ERROR' },
  { id: 'T4', from: 'NET_INIT', on: 'NET_INIT_OK', to: 'IDLE' },
  { id: 'T5', from: 'NET_INIT', on: 'NET_INIT_FAIL', to: 'ERROR' },
  { id: 'T6', from: 'IDLE', on: 'TICK', to: 'SAMPLE' },
  { id: 'T7', from: 'SAMPLE', on: 'SAMPLE_OK', to: 'SEND' },
  { id: 'T8', from: 'SAMPLE', on: 'SAMPLE_FAIL', to: 'ERROR' },
  { id: 'T9', from: 'SEND', on: 'BUFFER_EMPTY', to: 'WAIT' },
  { id: 'T10', from: 'SEND', on: 'SEND_OK', to: 'SEND' },
  { id: 'T11', from: 'SEND', on: 'SEND_FAIL', to: 'ERROR' },
  { id: 'T12', from: 'ERROR', on: 'TICK', to: 'WAIT' },
  { id: 'T13', from: 'WAIT', on: 'WAIT_ELAPSED', to: 'recovery_state' },
];

/** The row for (from, on). Throws when the table has none: that would be a reducer bug. */
export function findTransition(from: AppStateName, on: TransitionCondition): TransitionRow {
  const row = TRANSITIONS.find((r) => r.from === from && r.on === on);
  if (row === undefined) throw new RangeError(`findTransition: no row for ${from} on ${on}`);
  return row;
}

/** device.md §10: 10 s for retry_count 0–2, 60 s for 3–5, 300 s from 6 on. No jitter, no cap on count. */
export function backoffDelayMs(retryCount: number): number {
  if (!Number.isInteger(retryCount) || retryCount < 0) {
    throw new RangeError(`backoffDelayMs: expected a non-negative integer, got ${retryCount}`);
  }
  if (retryCount <= 2) return 10_000;
  if (retryCount <= 5) return 60_000;
  return 300_000;
}
