/**
 * @module transport/inject-transport
 * A device Transport (`@slotwise/core/protocol/transport`) that calls the Fastify app in-process
 * through `app.inject()`: no socket, no port, so fleet simulations stay deterministic and fast.
 * Like Zephyr, it uses only the path of an absolute URL and always talks to "its" server.
 */
import type { FastifyInstance } from 'fastify';
import type { HttpRequest, HttpResponse, Transport } from '@slotwise/core/protocol/transport';

/** The path and query of `url` (absolute URLs lose scheme, host and port). */
export function pathOf(url: string): string {
  if (url.startsWith('/')) return url;
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}

/** Creates a Transport that sends every request to `app` via `inject()`. */
export function createInjectTransport(app: Pick<FastifyInstance, 'inject'>): Transport {
  return {
    async request(request: HttpRequest): Promise<HttpResponse> {
      const headers: Record<string, string> = { ...(request.headers ?? {}) };
      const body = request.body === undefined ? undefined : typeof request.body === 'string' ? request.body : Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength);
      const res = await app.inject({ method: request.method, url: pathOf(request.url), headers, ...(body === undefined ? {} : { payload: body }) });
      const out: Record<string, string> = {};
      for (const [name, value] of Object.entries(res.headers)) {
        if (value === undefined) continue;
        out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
      }
      return { status: res.statusCode, headers: out, body: new Uint8Array(res.rawPayload) };
    },
  };
}
