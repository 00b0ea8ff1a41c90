/**
 * @module protocol/transport
 * The network port a device (or any client) uses to talk HTTP to the update server. Production
 * wraps `fetch`; in-process simulations use the server's `inject-transport.ts`, which calls
 * Fastify's `inject()` with no socket. Requests carry a path (an absolute URL is accepted and
 * reduced to its path, as Zephyr does with hrefs). Bodies are bytes or text.
 */

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

export interface HttpRequest {
  method: HttpMethod;
  /** Path and query (`/DEFAULT/controller/v1/dev-1`), or an absolute URL. */
  url: string;
  /** Header names in lower case. */
  headers?: Readonly<Record<string, string>>;
  body?: Uint8Array | string;
}

export interface HttpResponse {
  status: number;
  /** Header names in lower case; repeated headers joined with ", ". */
  headers: Readonly<Record<string, string>>;
  body: Uint8Array;
}

/** One HTTP exchange. Rejects only on transport failure (no connection), never on a 4xx/5xx. */
export interface Transport {
  request(request: HttpRequest): Promise<HttpResponse>;
}
