/**
 * @module device/network-model
 * The simulated network subsystem of device.md §9 with the G13/G14 proposals: `net_init` =
 * Wi-Fi join → address → DNS (10 s timeout) → TCP connect; suspend closes the socket and
 * powers the radio down, resume powers it up, and the next request reconnects. Calls block:
 * each returns the errno and how long it took, so the driver can advance virtual time.
 * Faults (faults.ts) change both.
 */
import { Errno } from './errno.js';
import { activeFaults, type DeviceFault, type FaultWindow, type TrafficClass } from './faults.js';

export interface NetworkTimings {
  readonly joinMs: number;
  readonly dnsMs: number;
  readonly connectMs: number;
  readonly rttMs: number;
  /** Payload bytes per millisecond. */
  readonly bytesPerMs: number;
  readonly dnsTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly httpTimeoutMs: number;
}

export const DEFAULT_NETWORK_TIMINGS: NetworkTimings = {
  joinMs: 250,
  dnsMs: 20,
  connectMs: 30,
  rttMs: 120,
  bytesPerMs: 100, // ~100 kB/s
  dnsTimeoutMs: 10_000, // Step 10
  connectTimeoutMs: 10_000,
  httpTimeoutMs: 30_000, // Step 10
};

/** Result of a blocking call: 0 or a negative errno, and the virtual time it blocked for. */
export interface NetCall {
  readonly err: number;
  readonly durationMs: number;
}

export interface NetworkModel {
  /** `net_init`: join, address, resolve, connect. */
  init(atMs: number): NetCall;
  /** One HTTP exchange moving `bytes` of payload over the open connection (reconnects if closed). */
  exchange(atMs: number, bytes: number, traffic?: TrafficClass): NetCall;
  suspend(): void;
  resume(): void;
  /** Hardware reset (device reboot): radio on, nothing joined, no socket. */
  reset(): void;
  readonly socketOpen: boolean;
  readonly radioOn: boolean;
}

export function createNetworkModel(faults: readonly FaultWindow[] = [], timings: Partial<NetworkTimings> = {}): NetworkModel {
  const t: NetworkTimings = { ...DEFAULT_NETWORK_TIMINGS, ...timings };
  let socketOpen = false;
  let radioOn = true;
  let initialised = false;

  const slow = (f: readonly DeviceFault[]): number => f.reduce((acc, x) => (x.kind === 'link.slow' ? acc * x.factor : acc), 1);

  const connect = (atMs: number, f: readonly DeviceFault[]): NetCall => {
    const has = (k: DeviceFault['kind']): boolean => f.some((x) => x.kind === k);
    if (has('dns.timeout')) return { err: -Errno.ETIMEDOUT, durationMs: t.dnsTimeoutMs };
    // Each phase has its own deadline (Step 10: DNS 10 s), so a slow link cannot block longer.
    const dnsMs = Math.round(t.dnsMs * slow(f));
    if (dnsMs > t.dnsTimeoutMs) return { err: -Errno.ETIMEDOUT, durationMs: t.dnsTimeoutMs };
    const connectMs = Math.round(t.connectMs * slow(f));
    if (has('connect.timeout') || connectMs > t.connectTimeoutMs) return { err: -Errno.ETIMEDOUT, durationMs: dnsMs + t.connectTimeoutMs };
    void atMs;
    socketOpen = true;
    return { err: 0, durationMs: dnsMs + connectMs };
  };

  return {
    get socketOpen() {
      return socketOpen;
    },
    get radioOn() {
      return radioOn;
    },
    init(atMs) {
      const f = activeFaults(faults, atMs);
      socketOpen = false;
      radioOn = true;
      initialised = false;
      if (f.some((x) => x.kind === 'link.down')) return { err: -Errno.ENETUNREACH, durationMs: t.joinMs };
      const c = connect(atMs, f);
      initialised = c.err === 0;
      return { err: c.err, durationMs: t.joinMs + c.durationMs };
    },
    exchange(atMs, bytes, traffic = 'samples') {
      const f = activeFaults(faults, atMs);
      if (!initialised || !radioOn) return { err: -Errno.ENOTCONN, durationMs: 0 };
      if (f.some((x) => x.kind === 'link.down')) {
        socketOpen = false;
        return { err: -Errno.ENETDOWN, durationMs: 0 };
      }
      let setup = 0;
      if (!socketOpen) {
        const c = connect(atMs, f);
        if (c.err !== 0) return c;
        setup = c.durationMs;
      }
      const transferMs = Math.round((t.rttMs + bytes / t.bytesPerMs) * slow(f));
      if (transferMs > t.httpTimeoutMs) {
        socketOpen = false;
        return { err: -Errno.ETIMEDOUT, durationMs: setup + t.httpTimeoutMs };
      }
      if (f.some((x) => x.kind === 'connection.drop')) {
        socketOpen = false;
        return { err: -Errno.ECONNRESET, durationMs: setup + Math.round(transferMs / 2) };
      }
      if (f.some((x) => x.kind === 'http.5xx' && (x.only === undefined || x.only === traffic))) return { err: -Errno.EIO, durationMs: setup + transferMs };
      return { err: 0, durationMs: setup + transferMs };
    },
    suspend() {
      socketOpen = false;
      radioOn = false;
    },
    resume() {
      radioOn = true;
    },
    reset() {
      socketOpen = false;
      radioOn = true;
      initialised = false;
    },
  };
}
