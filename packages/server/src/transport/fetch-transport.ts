/**
 * @module transport/fetch-transport
 * The same Transport over real HTTP with Node's `fetch`, against `baseUrl`
 * (e.g. `http://127.0.0.1:8080`). Like Zephyr, absolute URLs are reduced to their path and
 * sent to `baseUrl`'s host and port.
 */
import type { HttpRequest, HttpResponse, Transport } from '@slotwise/core/protocol/transport';
import { pathOf } from './inject-transport.js';

export function createFetchTransport(baseUrl: string): Transport {
  const base = baseUrl.replace(/\/+$/, '');
  return {
    async request(request: HttpRequest): Promise<HttpResponse> {
      const init: RequestInit = { method: request.method, headers: { ...(request.headers ?? {}) }, redirect: 'manual' };
      if (request.body !== undefined) init.body = request.body;
      const res = await fetch(`${base}${pathOf(request.url)}`, init);
      const headers: Record<string, string> = {};
      res.headers.forEach((value, name) => {
        headers[name.toLowerCase()] = value;
      });
      return { status: res.status, headers, body: new Uint8Array(await res.arrayBuffer()) };
    },
  };
}
