/**
 * @module device/options
 * Firmware build options of the simulated device. Where device.md §17 lists a gap with a
 * PROPOSAL, the proposal is the default; listing a gap id in `literal` reproduces the series'
 * code as written instead, so the difference can be shown side by side.
 */

/**
 * Gaps that have a literal variant:
 * - G2: SEND with an empty buffer sets nothing before WAIT (proposal: interval + IDLE).
 * - G3: SENSOR_INIT / NET_INIT failures set no recovery_state (proposal: recover there).
 * - G4: zero-initialised recovery_state (BOOT) and retry_delay (0) (proposal: IDLE, interval).
 * - G21: MCP9808 conversion masks the sign bit (proposal: two's complement).
 * - G24: NET_INIT failures recover at NET_INIT, so sampling stops during an outage
 *        (proposal, "decoupled": recover at IDLE so sampling continues at backoff pace).
 */
export const LITERAL_GAPS = ['G2', 'G3', 'G4', 'G21', 'G24'] as const;
export type LiteralGap = (typeof LITERAL_GAPS)[number];

/** Confirm policy of a freshly swapped test image (issue 5 item 2, device.md G31). */
export type ConfirmPolicy = 'boot' | 'health';

export interface DeviceOptions {
  /** G1: normal sampling interval. */
  readonly sampleIntervalMs: number;
  /** Main-loop sleep after every app_run() (§5, G34). */
  readonly tickMs: number;
  /** G16: a WAIT at least this long suspends the radio. */
  readonly lowPowerThresholdMs: number;
  /** G26: WAIT sleeps in slices of at most this; each completed slice feeds the watchdog. */
  readonly waitSliceMs: number;
  /** Step 5's sparse success line `Temperature <mdeg> mdeg sent successfully` (off by default). */
  readonly logSends: boolean;
  /** Gaps for which the series' literal code is reproduced instead of the proposal. */
  readonly literal: readonly LiteralGap[];
  /** Zephyr log module name of the application. */
  readonly logModule: string;
}

export const DEFAULT_DEVICE_OPTIONS: DeviceOptions = {
  sampleIntervalMs: 60_000,
  tickMs: 50,
  lowPowerThresholdMs: 60_000,
  waitSliceMs: 30_000, // half of a 60 s watchdog (Step 10: 60–90 s)
  logSends: false,
  literal: [],
  logModule: 'app',
};

/** Merges overrides into the defaults and validates them (misuse throws RangeError). */
export function resolveDeviceOptions(overrides: Partial<DeviceOptions> = {}): DeviceOptions {
  const o: DeviceOptions = { ...DEFAULT_DEVICE_OPTIONS, ...overrides };
  for (const k of ['sampleIntervalMs', 'tickMs', 'lowPowerThresholdMs', 'waitSliceMs'] as const) {
    if (!Number.isInteger(o[k]) || o[k] < 0 || (k === 'waitSliceMs' && o[k] === 0)) {
      throw new RangeError(`device options: expected ${k} to be a ${k === 'waitSliceMs' ? 'positive' : 'non-negative'} integer, got ${o[k]}`);
    }
  }
  for (const g of o.literal) {
    if (!(LITERAL_GAPS as readonly string[]).includes(g)) throw new RangeError(`device options: unknown literal gap ${g}`);
  }
  return o;
}

export const isLiteral = (o: DeviceOptions, gap: LiteralGap): boolean => o.literal.includes(gap);
