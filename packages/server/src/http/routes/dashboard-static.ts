/**
 * @module http/routes/dashboard-static
 * Serves the built dashboard (packages/dashboard/dist) when `config.dashboardDir` is set:
 * `GET /` is index.html (never cached: it names the current asset files), `GET /assets/:file`
 * are Vite's content-hashed bundles (cached for a year). Unauthenticated by design — the
 * page holds no data; everything it shows comes from the management API with an admin key.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ApiError } from '../errors.js';

const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  html: 'text/html; charset=utf-8',
  json: 'application/json',
  woff2: 'font/woff2',
};

export async function dashboardStaticRoutes(app: FastifyInstance, opts: { dir: string }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const send = async (file: string): Promise<Buffer> => {
    try {
      return await readFile(file);
    } catch {
      throw new ApiError('SW_ERR_ROUTE_NOT_FOUND', `The dashboard file ${file.slice(opts.dir.length)} is not built; run npm install (it builds packages/dashboard).`);
    }
  };

  r.get('/', { schema: { tags: ['dashboard'] } }, async (_req, reply) => {
    const body = await send(join(opts.dir, 'index.html'));
    return reply.type(TYPES.html!).header('cache-control', 'no-cache').send(body);
  });

  r.get('/assets/:file', { schema: { tags: ['dashboard'], params: Type.Object({ file: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$' }) }) } }, async (req, reply) => {
    const ext = req.params.file.split('.').pop() ?? '';
    const body = await send(join(opts.dir, 'assets', req.params.file));
    return reply.type(TYPES[ext] ?? 'application/octet-stream').header('cache-control', 'public, max-age=31536000, immutable').send(body);
  });
}
