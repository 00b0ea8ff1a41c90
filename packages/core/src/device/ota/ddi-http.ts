/**
 * @module device/ota/ddi-http
 * The device's DDI client over HTTP: implements the OTA task's `DdiTransport` on top of the
 * protocol `Transport` port (fetch, or the server's in-process inject transport), as Zephyr's
 * hawkBit client talks to its server (hawkbit-ddi.md B.1): TargetToken auth, only the path of
 * hrefs, `Range: bytes=a-b` chunks expecting 206, `closed` feedback, configData `merge`.
 * Every failure becomes a negative errno: no connection → -ECONNREFUSED, 401/403 → -EACCES,
 * other non-2xx → -EIO, an answer that does not parse or breaks Zephyr's limits → -EBADMSG.
 * The mapping is pure (`ddiHttpRequest`, `ddiHttpResult`) so a host that carries HTTP on its own
 * terms (the fleet's link model) reuses it without a Promise.
 */
import { ddiBasePath, parseSleep, type DdiConfigData, type DdiDeploymentBase, type DdiFeedback, type DdiPollResponse } from '../../protocol/ddi.js';
import type { HttpRequest, HttpResponse, Transport } from '../../protocol/transport.js';
import { Errno } from '../errno.js';
import { decodeUtf8 } from '../utf8-decode.js';
import type { DdiRequest, DdiResult, DdiTransport } from './ddi.js';

export interface DdiHttpConfig {
  readonly transport: Transport;
  readonly tenant: string;
  readonly controllerId: string;
  /** Target security token (`Authorization: TargetToken <token>`), or the gateway token with `scheme`. */
  readonly token: string;
  /** Authorization scheme; default `TargetToken` (fleet devices register with the tenant's `GatewayToken`). */
  readonly scheme?: 'TargetToken' | 'GatewayToken';
}

/** What `ddiHttpRequest` needs: the same as DdiHttpConfig without the transport. */
export type DdiHttpIdentity = Omit<DdiHttpConfig, 'transport'>;

const fail = (err: number): DdiResult => ({ ok: false, err: -err });

function parseJson(res: HttpResponse): unknown {
  const text = decodeUtf8(res.body);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined; // malformed JSON is a bad message, reported by the caller
  }
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function statusErr(status: number): number | undefined {
  if (status >= 200 && status < 300) return undefined;
  return status === 401 || status === 403 ? Errno.EACCES : Errno.EIO;
}

/** Reads the one-chunk, one-artifact deployment Zephyr accepts; undefined when it is not that. */
function readDeployment(body: unknown): DdiResult | undefined {
  if (!isObject(body) || typeof body['id'] !== 'string' || !/^\d+$/.test(body['id'])) return undefined;
  const d = (body as unknown as DdiDeploymentBase).deployment;
  const chunk = isObject(d) && Array.isArray(d.chunks) && d.chunks.length === 1 ? d.chunks[0] : undefined;
  const art = chunk !== undefined && Array.isArray(chunk.artifacts) && chunk.artifacts.length === 1 ? chunk.artifacts[0] : undefined;
  if (chunk === undefined || art === undefined || typeof chunk.version !== 'string') return undefined;
  const href = art._links?.['download-http']?.href;
  if (typeof art.size !== 'number' || typeof art.hashes?.sha256 !== 'string' || typeof href !== 'string') return undefined;
  return {
    ok: true,
    answer: { kind: 'deploymentBase', deployment: { actionId: body['id'], version: chunk.version, sizeBytes: art.size, sha256: art.hashes.sha256.toLowerCase(), downloadHref: href } },
  };
}

/** The HTTP request that carries one DDI request (pure: no I/O). */
export function ddiHttpRequest(id: DdiHttpIdentity, request: DdiRequest): HttpRequest {
  const base = ddiBasePath(id.tenant, id.controllerId);
  const auth = { authorization: `${id.scheme ?? 'TargetToken'} ${id.token}` };
  const json = { ...auth, 'content-type': 'application/json;charset=UTF-8' };
  switch (request.kind) {
    case 'poll':
      return { method: 'GET', url: base, headers: auth };
    case 'deploymentBase':
      return { method: 'GET', url: request.href, headers: auth };
    case 'download':
      return { method: 'GET', url: request.href, headers: { ...auth, range: `bytes=${request.fromByte}-${request.toByte}` } };
    case 'feedback': {
      const body: DdiFeedback = {
        status: { execution: request.execution, result: { finished: request.finished }, details: [...request.details] },
      };
      return { method: 'POST', url: `${base}/deploymentBase/${encodeURIComponent(request.actionId)}/feedback`, headers: json, body: JSON.stringify(body) };
    }
    case 'cancelFeedback': {
      const body: DdiFeedback = { status: { execution: 'closed', result: { finished: request.finished } } };
      return { method: 'POST', url: `${request.href.split('?')[0] ?? request.href}/feedback`, headers: json, body: JSON.stringify(body) };
    }
    case 'configData': {
      const body: DdiConfigData = { mode: 'merge', data: { ...request.data } };
      return { method: 'PUT', url: `${base}/configData`, headers: json, body: JSON.stringify(body) };
    }
  }
}

/** What the device makes of the answer to `ddiHttpRequest(request)`; `undefined`: no connection. */
export function ddiHttpResult(request: DdiRequest, res: HttpResponse | undefined): DdiResult {
  if (res === undefined) return fail(Errno.ECONNREFUSED);
  // 410 to a report: the action is already closed; there is nothing left to report (B.1.4).
  const reported = request.kind === 'feedback' || request.kind === 'cancelFeedback';
  const e = reported && res.status === 410 ? undefined : statusErr(res.status);
  if (e !== undefined) return fail(e);
  switch (request.kind) {
    case 'poll': {
      const body = parseJson(res);
      if (!isObject(body)) return fail(Errno.EBADMSG);
      const poll = body as unknown as DdiPollResponse;
      const sleepS = typeof poll.config?.polling?.sleep === 'string' ? parseSleep(poll.config.polling.sleep) : null;
      const deploymentBase = poll._links?.deploymentBase?.href;
      const cancelAction = poll._links?.cancelAction?.href;
      return {
        ok: true,
        answer: {
          kind: 'poll',
          sleepMs: (sleepS ?? 0) * 1000,
          ...(typeof deploymentBase === 'string' ? { deploymentBase } : {}),
          ...(typeof cancelAction === 'string' ? { cancelAction } : {}),
          ...(poll._links?.configData !== undefined ? { configData: true } : {}),
        },
      };
    }
    case 'deploymentBase':
      return readDeployment(parseJson(res)) ?? fail(Errno.EBADMSG);
    case 'download': {
      const want = request.toByte - request.fromByte + 1;
      // A server that ignores Range answers 200 with the whole file: take our window of it.
      const bytes = res.status === 206 ? res.body : res.body.subarray(request.fromByte, request.toByte + 1);
      return bytes.length === want ? { ok: true, answer: { kind: 'download', bytes } } : fail(Errno.EBADMSG);
    }
    case 'feedback':
    case 'cancelFeedback':
    case 'configData':
      return { ok: true, answer: { kind: 'ack' } };
  }
}

export function createDdiHttpTransport(config: DdiHttpConfig): DdiTransport {
  return {
    async exchange(request: DdiRequest): Promise<DdiResult> {
      let res: HttpResponse | undefined;
      try {
        res = await config.transport.request(ddiHttpRequest(config, request));
      } catch {
        res = undefined; // the Transport rejects only when there is no connection
      }
      return ddiHttpResult(request, res);
    },
  };
}
