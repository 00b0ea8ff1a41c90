/**
 * @module http/routes/ddi
 * The hawkBit DDI device API below `/{tenant}/controller/v1/{controllerId}` (hawkbit-ddi.md A.3,
 * Part C). Thin: authenticate, call the services, shape the JSON the real clients parse.
 * Shaping rules that matter: `sleep` always `HH:MM:SS`; links absolute with the upper-case
 * tenant; action ids as strings; 200 (never 201/204) with an empty body for feedback and
 * configData; Content-Length on everything (no chunked encoding); a lean deploymentBase for
 * Zephyr; shallow ETag + 304 on JSON; the poll path writes nothing to the database.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { DdiArtifact, DdiDeploymentBase, DdiFeedback, DdiPollResponse } from '@slotwise/core/protocol/ddi';
import { formatSleep } from '@slotwise/core/protocol/ddi';
import type { ActionRecord, ArtifactRecord, DeviceRecord, ReleaseRecord, TenantRecord } from '../../store/store.js';
import type { Services } from '../../service/services.js';
import { msUntilWindow, windowOpen } from '../../service/rollouts.js';
import { authenticateDdi, type AuthConfig, type DdiIdentity } from '../auth.js';
import { ApiError } from '../errors.js';
import {
  DdiActionParams,
  DdiArtifactParams,
  DdiArtifactSchema,
  DdiBaseQuery,
  DdiCancelActionSchema,
  DdiConfigDataSchema,
  DdiConfirmationBaseSchema,
  DdiConfirmationFeedbackSchema,
  DdiDeploymentBaseSchema,
  DdiFeedbackSchema,
  DdiInstalledBasePutSchema,
  DdiModuleParams,
  DdiParams,
  DdiPollSchema,
  ErrorBodySchema,
} from '../ddi-schemas.js';
import { multipartFraming, parseRange } from '../range.js';
import { createRateLimiter, type RateLimitConfig } from '../rate-limit.js';
import { Type } from 'typebox';

export interface DdiRouteOptions {
  services: Services;
  auth: AuthConfig;
  /** Per-address budgets (null: unlimited). */
  rateLimit: RateLimitConfig | null;
  /** Base URL for links (`https://ota.example.net`); default: from the request's Host. */
  publicUrl: string | null;
  onDownload?: (bytes: number) => void;
}

const errors = { '4xx': ErrorBodySchema, '5xx': ErrorBodySchema };
const MIN_SLEEP_SEC = 30;

function baseUrl(req: FastifyRequest, publicUrl: string | null): string {
  if (publicUrl !== null) return publicUrl.replace(/\/+$/, '');
  return `${req.protocol}://${req.headers.host ?? 'localhost'}`;
}

function isZephyr(device: DeviceRecord, req: FastifyRequest): boolean {
  if (device.profile === 'zephyr') return true;
  if (device.profile !== 'auto') return false;
  // Zephyr's subsystem sends neither Accept nor User-Agent (B.1.3).
  return req.headers.accept === undefined && req.headers['user-agent'] === undefined;
}

function actionC(action: ActionRecord, open: boolean): string {
  const h = createHash('sha1').update(`${action.id}:${action.status}:${action.type}:${open}`).digest();
  return String(h.readInt32BE(0));
}

function withJitter(services: Services, tenant: TenantRecord): number {
  const base = tenant.pollSleepSec;
  if (tenant.pollJitterPct <= 0) return base;
  const f = (services.ctx.random.float() * 2 - 1) * (tenant.pollJitterPct / 100);
  return Math.max(1, Math.round(base * (1 + f)));
}

export async function ddiRoutes(app: FastifyInstance, opts: DdiRouteOptions): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { services } = opts;
  const ctx = services.ctx;

  const identify = async (req: FastifyRequest): Promise<DdiIdentity> => {
    // Every route of this plugin validates these two path parameters by schema.
    const params = req.params as { tenant: string; controllerId: string };
    const id = await authenticateDdi(req, services, opts.auth, params.tenant, params.controllerId);
    services.lastSeen.seen(id.tenant.name, id.device.controllerId, ctx.clock.nowMs());
    return id;
  };
  const links = (req: FastifyRequest, id: DdiIdentity): string => `${baseUrl(req, opts.publicUrl)}/${encodeURIComponent(id.tenant.name)}/controller/v1/${encodeURIComponent(id.device.controllerId)}`;
  const https = (req: FastifyRequest): boolean => baseUrl(req, opts.publicUrl).startsWith('https:');

  if (opts.rateLimit !== null) {
    const limiter = createRateLimiter(opts.rateLimit, ctx.clock);
    app.addHook('onRequest', async (req) => {
      if (!limiter.take(req.ip, req.method !== 'GET' && req.method !== 'HEAD')) {
        req.log.warn({ ip: req.ip, url: req.url }, '429: rate limit');
        throw new ApiError('SW_ERR_RATE_LIMITED', `Too many requests from ${req.ip}; slow down to the polling interval.`);
      }
    });
  }

  // Shallow ETag on every JSON answer of this plugin; 304 when the client already has it (A.5).
  app.addHook('onSend', async (req, reply, payload) => {
    if (reply.statusCode !== 200 || typeof payload !== 'string' || req.method !== 'GET') return payload;
    const type = String(reply.getHeader('content-type') ?? '');
    if (!type.includes('json')) return payload;
    const etag = `"${createHash('sha1').update(payload).digest('hex')}"`;
    reply.header('etag', etag);
    if (req.headers['if-none-match'] === etag) {
      reply.code(304);
      return '';
    }
    return payload;
  });

  const jsonType = (req: FastifyRequest): string => {
    const accept = req.headers.accept ?? '';
    return accept.includes('application/json') && !accept.includes('hal+json') ? 'application/json' : 'application/hal+json';
  };

  async function ownAction(id: DdiIdentity, actionId: string): Promise<ActionRecord> {
    const action = await ctx.store.getAction(Number(actionId));
    if (action === null || action.tenant !== id.tenant.name || action.controllerId !== id.device.controllerId) {
      throw new ApiError('SW_ERR_ACTION_NOT_FOUND', `Action ${actionId} does not exist for device '${id.device.controllerId}'.`);
    }
    return action;
  }

  async function releaseOf(action: ActionRecord): Promise<ReleaseRecord> {
    const release = await ctx.store.getRelease(action.releaseId);
    if (release === null) throw new ApiError('SW_ERR_RELEASE_NOT_FOUND', `Release ${action.releaseId} of action ${action.id} is gone.`);
    return release;
  }

  async function artifactList(req: FastifyRequest, id: DdiIdentity, release: ReleaseRecord): Promise<DdiArtifact[]> {
    const lean = isZephyr(id.device, req);
    const base = links(req, id);
    const artifacts: DdiArtifact[] = [];
    for (const ref of release.artifacts) {
      const a = await ctx.store.getArtifact(release.tenant, ref.sha256);
      if (a === null) continue;
      const href = `${base}/softwaremodules/${release.id}/artifacts/${encodeURIComponent(ref.filename)}`;
      const art: DdiArtifact = { filename: ref.filename, size: a.sizeBytes, hashes: { sha1: a.sha1, md5: a.md5, sha256: a.sha256 }, _links: { 'download-http': { href } } };
      if (https(req)) art._links.download = { href };
      if (!lean) {
        art._links['md5sum-http'] = { href: `${href}.MD5SUM` };
        if (https(req)) art._links.md5sum = { href: `${href}.MD5SUM` };
      }
      artifacts.push(art);
    }
    return artifacts;
  }

  async function deploymentBody(req: FastifyRequest, id: DdiIdentity, action: ActionRecord, history: number | undefined): Promise<DdiDeploymentBase> {
    const release = await releaseOf(action);
    const lean = isZephyr(id.device, req);
    const artifacts = await artifactList(req, id, release);
    const open = action.maintenance === null || windowOpen(action.maintenance, ctx.clock.nowMs());
    const handling = action.type === 'soft' ? 'attempt' : 'forced';
    const body: DdiDeploymentBase = {
      id: String(action.id),
      deployment: {
        download: handling,
        update: action.type === 'download_only' || !open ? 'skip' : handling,
        ...(action.maintenance === null ? {} : { maintenanceWindow: open ? ('available' as const) : ('unavailable' as const) }),
        chunks: [{ part: release.part, version: release.version, name: release.name, artifacts }],
      },
    };
    if (!lean && history !== undefined && history !== 0) {
      const entries = await ctx.store.listActionStatus(action.id, history < 0 ? 100 : Math.min(history, 100));
      const messages = entries.flatMap((e) => (e.details.length > 0 ? e.details : [`${e.execution}${e.finished === null ? '' : `/${e.finished}`}`]));
      if (messages.length > 0) body.actionHistory = { status: action.status.toUpperCase(), messages };
    }
    return body;
  }

  const emptyOk = (reply: FastifyReply): FastifyReply => reply.code(200).header('content-length', '0').send();

  r.get('/:tenant/controller/v1/:controllerId', { schema: { params: DdiParams, response: { 200: DdiPollSchema, ...errors } } }, async (req, reply) => {
    const id = await identify(req);
    const { device, tenant } = id;
    let sleep = withJitter(services, tenant);
    const base = links(req, id);
    const l: NonNullable<DdiPollResponse['_links']> = {};
    if (device.activeActionId !== null) {
      const action = await ctx.store.getAction(device.activeActionId);
      if (action?.status === 'canceling') l.cancelAction = { href: `${base}/cancelAction/${action.id}` };
      else if (action?.status === 'running') {
        const now = ctx.clock.nowMs();
        const open = action.maintenance === null || windowOpen(action.maintenance, now);
        // Zephyr ignores `update: skip` (B.1.7 quirk 6) and SWUpdate closes the action on it
        // (B.2): for them a download-only assignment is held back instead of offered.
        const holdBack = !open || (action.type === 'download_only' && (isZephyr(device, req) || device.profile === 'swupdate'));
        if (!holdBack) l.deploymentBase = { href: `${base}/deploymentBase/${action.id}?c=${actionC(action, open)}` };
        else if (action.maintenance !== null) sleep = Math.min(sleep, Math.max(MIN_SLEEP_SEC, Math.floor(msUntilWindow(action.maintenance, now) / 3000)));
      }
    }
    if (device.configRequested) l.configData = { href: `${base}/configData` };
    if (l.deploymentBase === undefined && l.cancelAction === undefined && device.installedActionId !== null) l.installedBase = { href: `${base}/installedBase/${device.installedActionId}` };
    const body: DdiPollResponse = { config: { polling: { sleep: formatSleep(sleep) } } };
    if (Object.keys(l).length > 0) body._links = l;
    return reply.type(jsonType(req)).send(body);
  });

  r.put('/:tenant/controller/v1/:controllerId/configData', { schema: { params: DdiParams, body: DdiConfigDataSchema, response: { 200: Type.Null(), ...errors } } }, async (req, reply) => {
    const id = await identify(req);
    await services.devices.configData(id.device, req.body);
    return emptyOk(reply);
  });

  r.get('/:tenant/controller/v1/:controllerId/deploymentBase/:actionId', { schema: { params: DdiActionParams, querystring: DdiBaseQuery, response: { 200: DdiDeploymentBaseSchema, ...errors } } }, async (req, reply) => {
    const id = await identify(req);
    const action = await ownAction(id, req.params.actionId);
    if (action.status !== 'running') throw new ApiError('SW_ERR_ACTION_NOT_FOUND', `Action ${action.id} is ${action.status}, not an update to run.`);
    const body = await deploymentBody(req, id, action, req.query.actionHistory);
    await services.actions.retrieved(action);
    return reply.type(jsonType(req)).send(body);
  });

  r.post('/:tenant/controller/v1/:controllerId/deploymentBase/:actionId/feedback', { schema: { params: DdiActionParams, body: DdiFeedbackSchema, response: { 200: Type.Null(), ...errors } } }, async (req, reply) => {
    const id = await identify(req);
    await services.actions.feedback(id.device, Number(req.params.actionId), req.body as DdiFeedback);
    return emptyOk(reply);
  });

  r.get('/:tenant/controller/v1/:controllerId/cancelAction/:actionId', { schema: { params: DdiActionParams, response: { 200: DdiCancelActionSchema, ...errors } } }, async (req, reply) => {
    const id = await identify(req);
    const action = await ownAction(id, req.params.actionId);
    if (action.status !== 'canceling' && action.status !== 'canceled') throw new ApiError('SW_ERR_ACTION_NOT_FOUND', `Action ${action.id} is not being canceled.`);
    return reply.type(jsonType(req)).send({ id: String(action.id), cancelAction: { stopId: String(action.id) } });
  });

  r.post('/:tenant/controller/v1/:controllerId/cancelAction/:actionId/feedback', { schema: { params: DdiActionParams, body: DdiFeedbackSchema, response: { 200: Type.Null(), ...errors } } }, async (req, reply) => {
    const id = await identify(req);
    await services.actions.cancelFeedback(id.device, Number(req.params.actionId), req.body as DdiFeedback);
    return emptyOk(reply);
  });

  r.get('/:tenant/controller/v1/:controllerId/installedBase/:actionId', { schema: { params: DdiActionParams, querystring: DdiBaseQuery, response: { 200: DdiDeploymentBaseSchema, ...errors } } }, async (req, reply) => {
    const id = await identify(req);
    const action = await ownAction(id, req.params.actionId);
    if (action.status !== 'succeeded') throw new ApiError('SW_ERR_ACTION_NOT_FOUND', `Action ${action.id} is ${action.status}, not an installed update.`);
    return reply.type(jsonType(req)).send(await deploymentBody(req, id, action, req.query.actionHistory));
  });

  r.put('/:tenant/controller/v1/:controllerId/installedBase', { schema: { params: DdiParams, body: DdiInstalledBasePutSchema, response: { 200: Type.Null(), ...errors } } }, async (req, reply) => {
    const id = await identify(req);
    await services.devices.reportVersion(id.device, req.body.version, 'installedBase');
    return emptyOk(reply);
  });

  r.get('/:tenant/controller/v1/:controllerId/confirmationBase', { schema: { params: DdiParams, response: { 200: DdiConfirmationBaseSchema, ...errors } } }, async (req, reply) => {
    const id = await identify(req);
    // This server never holds an action for confirmation: auto-confirm is permanently on (A.12).
    return reply.type(jsonType(req)).send({ autoConfirm: { active: true, initiator: 'server', remark: 'confirmation is not required by this server' }, _links: { deactivateAutoConfirm: { href: `${links(req, id)}/confirmationBase/deactivateAutoConfirm` } } });
  });

  r.get('/:tenant/controller/v1/:controllerId/confirmationBase/:actionId', { schema: { params: DdiActionParams, querystring: DdiBaseQuery, response: { 200: DdiDeploymentBaseSchema, ...errors } } }, async (req) => {
    const id = await identify(req);
    await ownAction(id, req.params.actionId);
    throw new ApiError('SW_ERR_ACTION_NOT_FOUND', `Action ${req.params.actionId} is not waiting for confirmation.`);
  });

  r.post('/:tenant/controller/v1/:controllerId/confirmationBase/:actionId/feedback', { schema: { params: DdiActionParams, body: DdiConfirmationFeedbackSchema, response: { 200: Type.Null(), ...errors } } }, async (req) => {
    const id = await identify(req);
    const action = await ownAction(id, req.params.actionId);
    if (action.status !== 'running' && action.status !== 'canceling') throw new ApiError('SW_ERR_ACTION_GONE', `Action ${action.id} is ${action.status}.`);
    throw new ApiError('SW_ERR_ACTION_NOT_FOUND', `Action ${action.id} is not waiting for confirmation.`);
  });

  r.post('/:tenant/controller/v1/:controllerId/confirmationBase/activateAutoConfirm', { schema: { params: DdiParams, response: { 200: Type.Null(), ...errors } } }, async (req) => {
    await identify(req);
    throw new ApiError('SW_ERR_CONFIRMATION_ACTIVE', 'Auto-confirm is always active on this server.');
  });

  r.post('/:tenant/controller/v1/:controllerId/confirmationBase/deactivateAutoConfirm', { schema: { params: DdiParams, response: { 200: Type.Null(), ...errors } } }, async (req, reply) => {
    const id = await identify(req);
    req.log.info({ device: id.device.controllerId }, 'deactivateAutoConfirm ignored: this server never waits for confirmation');
    return emptyOk(reply);
  });

  /** The release the device may download from: its running action's or its installed one's. */
  async function downloadable(id: DdiIdentity, smId: number): Promise<{ release: ReleaseRecord; action: ActionRecord | null }> {
    for (const actionId of [id.device.activeActionId, id.device.installedActionId]) {
      if (actionId === null) continue;
      const action = await ctx.store.getAction(actionId);
      if (action === null || action.releaseId !== smId) continue;
      if (action.status === 'running' || action.status === 'canceling' || action.status === 'succeeded') {
        return { release: await releaseOf(action), action: action.status === 'succeeded' ? null : action };
      }
    }
    throw new ApiError('SW_ERR_ARTIFACT_NOT_FOUND', `Software module ${smId} is not assigned to device '${id.device.controllerId}'.`);
  }

  r.get('/:tenant/controller/v1/:controllerId/softwaremodules/:smId/artifacts', { schema: { params: DdiModuleParams, response: { 200: Type.Array(DdiArtifactSchema), ...errors } } }, async (req, reply) => {
    const id = await identify(req);
    const { release } = await downloadable(id, Number(req.params.smId));
    return reply.type(jsonType(req)).send(await artifactList(req, id, release));
  });

  r.route({
    method: ['GET', 'HEAD'],
    url: '/:tenant/controller/v1/:controllerId/softwaremodules/:smId/artifacts/:fileName',
    exposeHeadRoute: false,
    schema: { params: DdiArtifactParams, response: { 200: Type.Unknown({ description: 'the artifact bytes, or its .MD5SUM text' }), 206: Type.Unknown({ description: 'the requested byte range(s)' }), ...errors } },
    handler: async (req, reply) => {
      const id = await identify(req);
      const { release, action } = await downloadable(id, Number(req.params.smId));
      const name = req.params.fileName;
      let ref = release.artifacts.find((a) => a.filename === name);
      let md5sum = false;
      if (ref === undefined && name.endsWith('.MD5SUM')) {
        ref = release.artifacts.find((a) => a.filename === name.slice(0, -'.MD5SUM'.length));
        md5sum = true;
      }
      if (ref === undefined) throw new ApiError('SW_ERR_ARTIFACT_NOT_FOUND', `No artifact '${name}' in software module ${release.id}.`);
      const artifact = await ctx.store.getArtifact(release.tenant, ref.sha256);
      const size = await services.blobs.size(ref.sha256);
      if (artifact === null || size === null) throw new ApiError('SW_ERR_ARTIFACT_NOT_FOUND', `Artifact '${name}' has no stored bytes.`);
      if (md5sum) {
        const text = `${artifact.md5}  ${ref.filename}`;
        return reply.code(200).type('text/plain; charset=utf-8').header('content-disposition', `attachment;filename=${ref.filename}.MD5SUM`).send(req.method === 'HEAD' ? undefined : text);
      }
      return sendArtifact(req, reply, artifact, ref.filename, size, action);
    },
  });

  async function sendArtifact(req: FastifyRequest, reply: FastifyReply, artifact: ArtifactRecord, filename: string, size: number, action: ActionRecord | null): Promise<FastifyReply> {
    const etag = `"${artifact.sha1}"`;
    reply
      .header('accept-ranges', 'bytes')
      .header('etag', etag)
      .header('last-modified', new Date(artifact.createdMs).toUTCString())
      .header('x-content-type-options', 'nosniff')
      .header('content-disposition', `attachment;filename=${/^[A-Za-z0-9._+-]+$/.test(filename) ? filename : JSON.stringify(filename)}`);
    const ifMatch = req.headers['if-match'];
    if (ifMatch !== undefined && ifMatch !== '*' && ifMatch !== etag) throw new ApiError('SW_ERR_PRECONDITION_FAILED', `If-Match ${ifMatch} does not match ${etag}.`);
    let rangeHeader = req.method === 'GET' ? req.headers.range : undefined;
    const ifRange = req.headers['if-range'];
    if (rangeHeader !== undefined && ifRange !== undefined && ifRange !== etag) rangeHeader = undefined;
    const range = parseRange(rangeHeader, size);
    if (range.kind === 'unsatisfiable') {
      reply.header('content-range', `bytes */${size}`);
      throw new ApiError('SW_ERR_RANGE_NOT_SATISFIABLE', `Range '${rangeHeader ?? ''}' cannot be served from ${size} bytes.`);
    }
    const head = req.method === 'HEAD';
    const blobs = services.blobs;
    if (range.kind === 'full') {
      reply.code(200).type('application/octet-stream').header('content-length', String(size));
      if (head) return reply.send();
      if (action !== null) await ctx.store.recordDownload(action.id, size, size, true);
      opts.onDownload?.(size);
      return reply.send(blobs.read(artifact.sha256, 0, size - 1));
    }
    const ranges = range.ranges;
    const served = ranges.reduce((n, x) => n + x.end - x.start + 1, 0);
    const last = ranges[ranges.length - 1];
    if (action !== null && last !== undefined) await ctx.store.recordDownload(action.id, served, last.end + 1, false);
    opts.onDownload?.(served);
    const [only] = ranges;
    if (ranges.length === 1 && only !== undefined) {
      reply.code(206).type('application/octet-stream').header('content-range', `bytes ${only.start}-${only.end}/${size}`).header('content-length', String(only.end - only.start + 1));
      return reply.send(blobs.read(artifact.sha256, only.start, only.end));
    }
    const boundary = `SLOTWISE_${artifact.sha1.slice(0, 24)}`;
    const framing = multipartFraming(ranges, size, 'application/octet-stream', boundary);
    reply.code(206).type(`multipart/byteranges; boundary=${boundary}`).header('content-length', String(framing.length));
    async function* parts(): AsyncGenerator<Buffer> {
      for (let i = 0; i < ranges.length; i++) {
        const x = ranges[i];
        if (x === undefined) continue;
        yield Buffer.from(framing.heads[i] ?? '');
        for await (const chunk of blobs.read(artifact.sha256, x.start, x.end)) yield chunk as Buffer;
      }
      yield Buffer.from(framing.tail);
    }
    return reply.send(Readable.from(parts()));
  }
}
