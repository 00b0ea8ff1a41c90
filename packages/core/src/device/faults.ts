/**
 * @module device/faults
 * Injectable faults of the sensor and network models (issue 5 item 4), as data: each fault is
 * active in a window of simulation time [fromMs, untilMs). A scenario is a list of windows, so
 * the same faults replay identically on virtual time.
 */

/** Which requests a fault hits: sample posts (`POST /api/v1/samples`) or DDI (OTA) exchanges. */
export type TrafficClass = 'samples' | 'ddi';

export type DeviceFault =
  /** MCP9808 answers with the wrong IDs: init fails with -ENODEV. */
  | { readonly kind: 'sensor.absent' }
  /** I2C transactions fail: init and reads return -EIO. */
  | { readonly kind: 'sensor.bus_error' }
  /** Only temperature reads fail (-EIO); init still succeeds. */
  | { readonly kind: 'sensor.read_error' }
  /** Wi-Fi cannot join / drops: net_init fails -ENETUNREACH, sends fail -ENETDOWN. */
  | { readonly kind: 'link.down' }
  /** DNS never answers: net_init blocks for the DNS timeout (10 s), then -ETIMEDOUT. */
  | { readonly kind: 'dns.timeout' }
  /** TCP connect never completes: blocks for the connect timeout, then -ETIMEDOUT. */
  | { readonly kind: 'connect.timeout' }
  /** The server answers 5xx: the request fails with -EIO after a normal round trip (optionally on one path only). */
  | { readonly kind: 'http.5xx'; readonly only?: TrafficClass }
  /** Every transfer takes `factor` times longer; past the HTTP timeout (30 s) it fails -ETIMEDOUT. */
  | { readonly kind: 'link.slow'; readonly factor: number }
  /** The connection is reset mid-transfer: -ECONNRESET and the socket is closed. */
  | { readonly kind: 'connection.drop' };

export interface FaultWindow {
  readonly fault: DeviceFault;
  readonly fromMs: number;
  /** Exclusive; Infinity for "until the end". */
  readonly untilMs: number;
}

/** The faults active at simulation time `atMs`. */
export function activeFaults(windows: readonly FaultWindow[], atMs: number): DeviceFault[] {
  return windows.filter((w) => atMs >= w.fromMs && atMs < w.untilMs).map((w) => w.fault);
}

export function hasFault(windows: readonly FaultWindow[], atMs: number, kind: DeviceFault['kind']): boolean {
  return windows.some((w) => w.fault.kind === kind && atMs >= w.fromMs && atMs < w.untilMs);
}
