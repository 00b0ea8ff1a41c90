/**
 * OpenAPI at /docs: every API route is described, with parameters and response schemas.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHarness } from '../harness.js';

test('/docs/json describes every route with its responses', async () => {
  const h = await createHarness();
  try {
    const res = await h.app.inject({ method: 'GET', url: '/docs/json' });
    assert.equal(res.statusCode, 200);
    const spec = res.json() as { openapi: string; paths: Record<string, Record<string, { responses?: Record<string, unknown>; parameters?: unknown[] }>> };
    assert.match(spec.openapi, /^3\./);
    const toOpenApi = (url: string): string => url.replace(/:([A-Za-z0-9]+)/g, '{$1}');
    for (const r of h.app.slotwise.routes) {
      if (r.url.startsWith('/docs') || r.method === 'HEAD') continue;
      const op = spec.paths[toOpenApi(r.url)]?.[r.method.toLowerCase()];
      assert.ok(op !== undefined, `OpenAPI lacks ${r.method} ${r.url}`);
      const codes = Object.keys(op.responses ?? {});
      assert.ok(codes.some((c) => /^2/.test(c)), `${r.method} ${r.url} documents its success response`);
      if (r.url !== '/metrics') assert.ok(codes.some((c) => /^4/i.test(c)), `${r.method} ${r.url} documents its error body`);
    }
    assert.ok((spec.paths['/{tenant}/controller/v1/{controllerId}/deploymentBase/{actionId}']?.get?.parameters ?? []).length >= 3);
  } finally {
    await h.close();
  }
});
