/**
 * @module fleet/report
 * A fleet run's report: the text a person reads (`slotwise sim run`) and the JSON object
 * scripts read (`--json`: devices, outcomes, digest, seed and the rest of the figures).
 */
import type { FleetResult } from './fleet.js';

const dur = (ms: number | null): string => {
  if (ms === null) return 'never';
  const s = Math.round(ms / 1000);
  return s < 120 ? `${s} s` : s < 7200 ? `${(s / 60).toFixed(1)} min` : `${(s / 3600).toFixed(2)} h`;
};

export function formatReport(r: FleetResult): string {
  const o = r.outcomes;
  const lines = [
    `Scenario ${r.scenario} — seed ${r.seed}, ${r.devices} devices, ${dur(r.virtualMs)} of virtual time`,
    `Target version: ${r.target ?? '(none)'}`,
    `Outcomes: updated ${o.updated}, rolled back ${o.rolled_back}, failed ${o.failed}, pending ${o.pending}, bricked ${o.bricked}`,
    'Per version:',
    ...Object.entries(r.byVersion)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([v, c]) => `  ${v.padEnd(10)} ${String(r.versions[v] ?? 0).padStart(7)}  (${Object.entries(c).map(([k, n]) => `${k} ${n}`).join(', ')})`),
    `Time to 50 / 90 / 99 % on ${r.target ?? 'target'}: ${dur(r.timeToMs.p50)} / ${dur(r.timeToMs.p90)} / ${dur(r.timeToMs.p99)} after the first rollout`,
    `Bytes sent per byte of image: ${r.bytesPerImageByte === null ? 'n/a' : r.bytesPerImageByte.toFixed(4)} (${r.bytesSent} bytes for ${r.imageBytesCompleted} image bytes downloaded)`,
    `Server: ${r.requests} requests, ${r.polls} polls (${r.pollsPerSec.toFixed(2)} polls/s), p99 latency ${r.serverLatencyP99Ms.toFixed(1)} ms (virtual)`,
    `Power losses: ${r.powerLosses}; devices not bootable: ${r.notBootable.length}`,
    ...r.rollouts.map((x) => `Rollout ${x.name}: ${x.state}, stage ${x.currentStage}${x.reason === null ? '' : ` (${x.reason})`}; stages ${x.stages.map((s) => `${s.succeeded}✓/${s.failed + s.rolledBack}✗ of ${s.members}`).join(' | ')}`),
    `Trace digest: ${r.digest} (${r.traceLines} lines)`,
  ];
  return lines.join('\n');
}

/** The `--json` object. */
export function reportJson(r: FleetResult): Record<string, unknown> {
  const { trace, ...rest } = r;
  return { ...rest, ...(trace.length > 0 ? { trace } : {}) };
}
