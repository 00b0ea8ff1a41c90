/**
 * @module http/metrics
 * Prometheus metrics (prom-client) on a registry per app, so several apps in one process (tests,
 * simulations) never share counters: requests by route and status, request latency, DDI polls,
 * artifact bytes served, action outcomes.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ServerMetrics {
  registry: Registry;
  polls: Counter;
  downloadBytes: Counter;
  /** Actions reaching a decision, by outcome (succeeded, failed, rolled_back, timed_out, canceled). */
  decided: Counter<'status'>;
}

export function installMetrics(app: FastifyInstance, opts: { processMetrics: boolean }): ServerMetrics {
  const registry = new Registry();
  if (opts.processMetrics) collectDefaultMetrics({ register: registry });
  const requests = new Counter({ name: 'slotwise_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['method', 'route', 'status'], registers: [registry] });
  const latency = new Histogram({ name: 'slotwise_http_request_seconds', help: 'HTTP request latency', labelNames: ['route'], buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1, 5], registers: [registry] });
  const polls = new Counter({ name: 'slotwise_ddi_polls_total', help: 'DDI root-resource polls answered', registers: [registry] });
  const downloadBytes = new Counter({ name: 'slotwise_artifact_bytes_served_total', help: 'Artifact bytes sent to devices', registers: [registry] });
  const decided = new Counter({ name: 'slotwise_actions_decided_total', help: 'Actions decided, by outcome', labelNames: ['status'], registers: [registry] });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    requests.inc({ method: req.method, route, status: String(reply.statusCode) });
    latency.observe({ route }, reply.elapsedTime / 1000);
    if (route === '/:tenant/controller/v1/:controllerId' && reply.statusCode < 400) polls.inc();
  });
  return { registry, polls, downloadBytes, decided };
}
