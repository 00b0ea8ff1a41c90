/**
 * @module http/error-handler
 * Maps every failure to `{ code, message, requestId }` with a registered code: ApiError as
 * raised, Fastify's own errors (schema validation, malformed JSON, body too large, media type)
 * to their SW_ERR_REQUEST_* codes, anything else to SW_ERR_SERVER_INTERNAL (logged with its stack).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, ServerErrorCode, type ErrorBody } from './errors.js';

function classify(error: FastifyError | Error): { code: keyof typeof ServerErrorCode; message: string } {
  if (error instanceof ApiError) return { code: error.code as keyof typeof ServerErrorCode, message: error.message };
  const fe = error as FastifyError;
  if (fe.validation !== undefined) return { code: 'SW_ERR_REQUEST_INVALID', message: fe.message };
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { code: 'SW_ERR_REQUEST_TOO_LARGE', message: 'The request body is larger than this route accepts.' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { code: 'SW_ERR_REQUEST_MEDIA_TYPE', message: fe.message };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { code: 'SW_ERR_REQUEST_MALFORMED', message: 'The body is not well-formed JSON.' };
  }
  if (error instanceof SyntaxError || (fe.statusCode === 400 && /JSON/i.test(fe.message))) return { code: 'SW_ERR_REQUEST_MALFORMED', message: 'The body is not well-formed JSON.' };
  if (fe.statusCode === 413) return { code: 'SW_ERR_REQUEST_TOO_LARGE', message: fe.message };
  if (fe.statusCode === 415) return { code: 'SW_ERR_REQUEST_MEDIA_TYPE', message: fe.message };
  if (fe.statusCode !== undefined && fe.statusCode >= 400 && fe.statusCode < 500) return { code: 'SW_ERR_REQUEST_INVALID', message: fe.message };
  return { code: 'SW_ERR_SERVER_INTERNAL', message: 'Internal server error.' };
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | Error, req: FastifyRequest, reply: FastifyReply) => {
    const { code, message } = classify(error);
    const status = ServerErrorCode[code].status;
    if (status >= 500) req.log.error({ err: error }, 'request failed');
    else if (status !== 401) req.log.info({ code, reason: message }, `${status} ${code}`);
    const body: ErrorBody = { code, message, requestId: String(req.id) };
    return reply.code(status).type('application/json; charset=utf-8').send(body);
  });
  app.setNotFoundHandler((req, reply) => {
    const body: ErrorBody = { code: 'SW_ERR_ROUTE_NOT_FOUND', message: `No route ${req.method} ${req.url.split('?')[0] ?? ''}.`, requestId: String(req.id) };
    return reply.code(404).type('application/json; charset=utf-8').send(body);
  });
}
