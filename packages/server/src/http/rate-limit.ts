/**
 * @module http/rate-limit
 * Per-client-address request budgets for the DDI API, like hawkBit's DoS filter (A.13, A.15:
 * 200 reads/s and 50 writes/s per IP, private ranges exempt): a token bucket per address and
 * kind, refilled from the injected clock, answering 429 SW_ERR_RATE_LIMITED when empty. State is
 * per process (a limit, not an accounting); idle buckets are dropped.
 */
import { isIP } from 'node:net';
import type { Clock } from '@slotwise/core';

export interface RateLimitConfig {
  readsPerSec: number;
  writesPerSec: number;
  /** Do not limit loopback and RFC 1918 / ULA addresses (devices behind the same NAT). */
  exemptPrivate: boolean;
}

export const DEFAULT_RATE_LIMIT: RateLimitConfig = { readsPerSec: 200, writesPerSec: 50, exemptPrivate: true };

export function isPrivateAddress(ip: string): boolean {
  const v4 = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  if (isIP(v4) === 4) {
    const [a = 0, b = 0] = v4.split('.').map(Number);
    return a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
  }
  const low = ip.toLowerCase();
  return low === '::1' || low.startsWith('fc') || low.startsWith('fd') || low.startsWith('fe80');
}

interface Bucket {
  tokens: number;
  atMs: number;
}

export interface RateLimiter {
  /** True when the request may proceed (and consumes a token). */
  take(ip: string, write: boolean): boolean;
}

export function createRateLimiter(config: RateLimitConfig, clock: Clock): RateLimiter {
  const buckets = new Map<string, Bucket>();
  let lastSweepMs = clock.nowMs();
  return {
    take(ip, write) {
      if (config.exemptPrivate && isPrivateAddress(ip)) return true;
      const rate = write ? config.writesPerSec : config.readsPerSec;
      const now = clock.nowMs();
      if (now - lastSweepMs > 60_000) {
        for (const [k, b] of buckets) if (now - b.atMs > 60_000) buckets.delete(k);
        lastSweepMs = now;
      }
      const key = `${write ? 'w' : 'r'}:${ip}`;
      const b = buckets.get(key) ?? { tokens: rate, atMs: now };
      b.tokens = Math.min(rate, b.tokens + ((now - b.atMs) / 1000) * rate);
      b.atMs = now;
      buckets.set(key, b);
      if (b.tokens < 1) return false;
      b.tokens -= 1;
      return true;
    },
  };
}
