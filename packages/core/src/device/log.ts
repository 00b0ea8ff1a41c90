/**
 * @module device/log
 * Log records are data: the reducer emits `{level, module, message}`, the driver stamps them
 * with virtual uptime, and `formatLogLine` renders Zephyr's default text shape
 * `[hh:mm:ss.mmm,uuu] <inf> app: State: IDLE -> SAMPLE` (device.md §12 message shapes).
 */

export type LogLevel = 'err' | 'wrn' | 'inf' | 'dbg';

/** A log line as the firmware decides it (no time yet). */
export interface LogEntry {
  readonly level: LogLevel;
  readonly module: string;
  readonly message: string;
}

/** A log line as emitted: uptime milliseconds since the current boot, and the boot number. */
export interface LogRecord extends LogEntry {
  readonly atMs: number;
}

/** Zephyr's uptime stamp `hh:mm:ss.mmm,uuu` (microseconds are always 000 in the simulator). */
export function formatUptime(atMs: number): string {
  if (!Number.isInteger(atMs) || atMs < 0) throw new RangeError(`formatUptime: expected a non-negative integer ms, got ${atMs}`);
  const ms = atMs % 1000;
  const s = Math.floor(atMs / 1000) % 60;
  const m = Math.floor(atMs / 60_000) % 60;
  const h = Math.floor(atMs / 3_600_000);
  const p = (n: number, w: number): string => String(n).padStart(w, '0');
  return `${p(h, 2)}:${p(m, 2)}:${p(s, 2)}.${p(ms, 3)},000`;
}

export function formatLogLine(r: LogRecord): string {
  return `[${formatUptime(r.atMs)}] <${r.level}> ${r.module}: ${r.message}`;
}
