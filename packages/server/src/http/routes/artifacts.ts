/**
 * @module http/routes/artifacts
 * `/api/v1/artifacts`: upload (`application/octet-stream`, size-limited; MCUboot images are
 * verified before storing), list, read. Re-uploading the same bytes is idempotent (200, not 201).
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Artifact, ArtifactUploadQuery, Sha256Param, TenantHeader, errorResponses } from '../api-schemas.js';
import { ApiError } from '../errors.js';
import { adminOf, type ManagementOptions } from './context.js';

export async function artifactRoutes(app: FastifyInstance, opts: ManagementOptions): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { services } = opts;
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: opts.maxUploadBytes }, (_req, body, done) => done(null, body));

  r.post(
    '/api/v1/artifacts',
    {
      bodyLimit: opts.maxUploadBytes,
      schema: { tags: ['artifacts'], headers: TenantHeader, querystring: ArtifactUploadQuery, response: { 200: Artifact, 201: Artifact, ...errorResponses } },
      // Authenticate before the body is read, so an anonymous upload costs no bandwidth or disk.
      onRequest: async (req) => {
        await adminOf(req, services);
        const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
        if (type !== 'application/octet-stream') throw new ApiError('SW_ERR_REQUEST_MEDIA_TYPE', `Upload artifacts as application/octet-stream, not '${type ?? ''}'.`);
      },
    },
    async (req, reply) => {
      const { actor, tenant } = await adminOf(req, services);
      const body = req.body;
      const bytes = body instanceof Buffer ? new Uint8Array(body.buffer, body.byteOffset, body.byteLength) : new Uint8Array(0);
      const { artifact, created } = await services.artifacts.upload(tenant, bytes, req.query.filename, actor);
      return reply.code(created ? 201 : 200).send(artifact);
    },
  );

  r.get('/api/v1/artifacts', { schema: { tags: ['artifacts'], headers: TenantHeader, response: { 200: Type.Array(Artifact), ...errorResponses } } }, async (req) => {
    const { tenant } = await adminOf(req, services);
    return services.artifacts.list(tenant);
  });

  r.get('/api/v1/artifacts/:sha256', { schema: { tags: ['artifacts'], headers: TenantHeader, params: Sha256Param, response: { 200: Artifact, ...errorResponses } } }, async (req) => {
    const { tenant } = await adminOf(req, services);
    return services.artifacts.get(tenant, req.params.sha256);
  });
}
