/**
 * @module fleet/network
 * A device's link to the server on virtual time, as data (issue 6 item 4): latency with jitter,
 * bandwidth, request loss (the request never arrives: the client times out), outage windows
 * (no connectivity), and connections dropping mid-transfer (a Poisson process over the bytes
 * of a response, `dropsPerMiB`), plus the client's whole-response deadline. The plan functions
 * only compute times and truncation; the fleet moves the bytes.
 */
import type { Random } from '../sim/random.js';

export interface LinkSpec {
  readonly latencyMs: number;
  /** Uniform extra one-way delay in [0, jitterMs). */
  readonly jitterMs: number;
  readonly bytesPerSec: number;
  /** Probability that a request is lost (no answer until the client's timeout). */
  readonly lossRate: number;
  /** Expected connection drops per MiB of response body. */
  readonly dropsPerMiB: number;
  /** Whole-exchange deadline of the client (Zephyr: 300 s; our device: 30 s). */
  readonly timeoutMs: number;
  /** Windows of virtual time (ms since the run started) with no connectivity. */
  readonly outages: readonly { readonly fromMs: number; readonly untilMs: number }[];
}

/** What happens to a request sent at `atMs` (virtual ms since the run started). */
export type RequestPlan =
  | { readonly kind: 'arrives'; readonly atMs: number }
  | { readonly kind: 'fails'; readonly atMs: number; readonly reason: 'outage' | 'lost' };

/** What happens to a response of `bytes` body bytes leaving the server at `atMs`. */
export interface ResponsePlan {
  readonly atMs: number;
  /** Body bytes the client received; less than `bytes` when the connection dropped or timed out. */
  readonly deliveredBytes: number;
  readonly broken: boolean;
}

const MIB = 1024 * 1024;
/** Request and response headers on the wire (one TCP/HTTP exchange), for transfer time only. */
export const HEADER_BYTES = 300;

export function inOutage(link: LinkSpec, atMs: number): boolean {
  for (const w of link.outages) if (atMs >= w.fromMs && atMs < w.untilMs) return true;
  return false;
}

const oneWay = (link: LinkSpec, random: Random, bytes: number): number =>
  Math.round(
    link.latencyMs + (link.jitterMs > 0 ? random.float() * link.jitterMs : 0) + ((bytes + HEADER_BYTES) * 1000) / link.bytesPerSec,
  );

export function planRequest(link: LinkSpec, random: Random, atMs: number, bodyBytes: number): RequestPlan {
  // A dead link fails at connect: the client waits for its connect timeout (a third of the deadline).
  if (inOutage(link, atMs)) return { kind: 'fails', atMs: atMs + Math.min(link.timeoutMs, 10_000), reason: 'outage' };
  if (link.lossRate > 0 && random.float() < link.lossRate) return { kind: 'fails', atMs: atMs + link.timeoutMs, reason: 'lost' };
  return { kind: 'arrives', atMs: atMs + oneWay(link, random, bodyBytes) };
}

/** `sentAtMs`: when the client sent the request (the deadline runs from there). */
export function planResponse(link: LinkSpec, random: Random, sentAtMs: number, atMs: number, bytes: number): ResponsePlan {
  const full = atMs + oneWay(link, random, bytes);
  let delivered = bytes;
  let broken = false;
  if (link.dropsPerMiB > 0 && bytes > 0) {
    const untilDrop = (-Math.log(1 - random.float()) * MIB) / link.dropsPerMiB;
    if (untilDrop < bytes) {
      delivered = Math.floor(untilDrop);
      broken = true;
    }
  }
  // An outage starting mid-transfer cuts it at the outage start.
  for (const w of link.outages) {
    if (w.fromMs > atMs && w.fromMs < full) {
      delivered = Math.min(delivered, Math.floor(((w.fromMs - atMs) * link.bytesPerSec) / 1000));
      broken = true;
    }
  }
  const deadline = sentAtMs + link.timeoutMs;
  let endMs = broken ? atMs + link.latencyMs + Math.round((delivered * 1000) / link.bytesPerSec) : full;
  if (endMs > deadline) {
    delivered = Math.max(0, Math.min(delivered, Math.floor(((deadline - atMs - link.latencyMs) * link.bytesPerSec) / 1000)));
    broken = true;
    endMs = deadline;
  }
  return { atMs: Math.max(endMs, atMs), deliveredBytes: delivered, broken };
}
