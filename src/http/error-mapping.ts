import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, isAppError, isUniqueViolation, unavailableBackend, type OciErrorCode } from '../platform/errors.js';
import { isClientDisconnect } from './client-disconnect.js';

/**
 * Which wire format an error is written in: the distribution spec's under /v2, the token
 * service's under /service/token, Harbor's everywhere else (the API, the portal's /c/ routes,
 * unknown paths).
 */
export type ErrorArea = 'registry' | 'token' | 'api';

export function errorArea(url: string): ErrorArea {
  if (url === '/v2' || url.startsWith('/v2/') || url.startsWith('/v2?')) return 'registry';
  if (url === '/service/token' || url.startsWith('/service/token?')) return 'token';
  return 'api';
}

/** Harbor names its error codes after the HTTP status (lib/http/error.go); a 500 is UNKNOWN. */
const harborCodeByStatus: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  412: 'PRECONDITION',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  416: 'REQUESTED_RANGE_NOT_SATISFIABLE',
  422: 'UNPROCESSABLE_ENTITY',
  429: 'TOO_MANY_REQUESTS',
  503: 'SERVICE_UNAVAILABLE',
  507: 'INSUFFICIENT_STORAGE',
};

function harborCode(status: number): string {
  return harborCodeByStatus[status] ?? (status >= 500 ? 'UNKNOWN' : 'BAD_REQUEST');
}

/** OCI code for statuses Fastify itself raises under /v2 (bad headers, unsupported media types...). */
function ociCodeForStatus(status: number): OciErrorCode {
  if (status === 404) return 'NAME_UNKNOWN';
  if (status === 413) return 'SIZE_INVALID';
  if (status >= 500) return 'UNKNOWN';
  return 'UNSUPPORTED';
}

interface ValidationIssue {
  instancePath?: string;
  message?: string;
}

/**
 * A schema's refusal as one readable line, field first: "project_name: Invalid input: expected
 * string, received undefined". Fastify's own message lists the schema paths and is not for users.
 */
export function validationMessage(issues: readonly ValidationIssue[], context: string | undefined): string {
  const parts = issues.slice(0, 5).map((i) => {
    const field = (i.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.');
    return `${field || context || 'request'}: ${i.message ?? 'invalid'}`;
  });
  if (issues.length > 5) parts.push(`and ${issues.length - 5} more`);
  return parts.join('; ');
}

/** Any thrown value as the AppError the client is told about; unexpected ones are logged here. */
function asAppError(err: unknown, req: FastifyRequest, area: ErrorArea): AppError {
  if (isAppError(err)) return err;
  if (isUniqueViolation(err)) {
    // Two creations racing past a pre-check: the second loses, as it would have one second later.
    req.log.info({ err }, 'unique constraint refused a write: conflict');
    return new AppError('CONFLICT', 'a resource with the same name or key already exists');
  }
  const backend = unavailableBackend(err);
  if (backend !== null) {
    req.log.warn({ err, backend }, 'backend unavailable: 503');
    return new AppError('UNAVAILABLE', `the ${backend} is unavailable; try again shortly`, { headers: { 'Retry-After': '5' } });
  }
  const e = err as Partial<FastifyError>;
  if (Array.isArray(e.validation)) return new AppError('BAD_REQUEST', validationMessage(e.validation, e.validationContext));
  const status = typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 600 ? e.statusCode : 500;
  if (isClientDisconnect(err as Error, req.raw)) req.log.debug({ err }, 'request failed: client disconnected');
  else if (status >= 500) req.log.error({ err }, 'unhandled error');
  const code = area === 'registry' ? ociCodeForStatus(status) : status >= 500 ? 'UNKNOWN' : 'BAD_REQUEST';
  return new AppError(code, status >= 500 ? 'internal server error' : (e.message ?? 'bad request'), { status });
}

/** The body of an error in an area's format. */
export function errorBody(area: ErrorArea, e: AppError): unknown {
  if (area === 'registry') {
    // RANGE_INVALID is ours (it carries the 416's Range header); the spec's word for it is this.
    const code = e.code === 'RANGE_INVALID' ? 'BLOB_UPLOAD_INVALID' : e.code;
    return { errors: [{ code, message: e.message, ...(e.detail !== undefined ? { detail: e.detail } : {}) }] };
  }
  if (area === 'token' && e.code === 'UNSUPPORTED_GRANT_TYPE') return { error: 'unsupported_grant_type', error_description: e.message };
  // The token service answers like Harbor's API: {"errors":[{"code":"UNAUTHORIZED",...}]}.
  // Harbor's middlewares (read-only mode) refuse with DENIED everywhere, the API included.
  const code = e.code === 'DENIED' && e.status === 403 ? 'DENIED' : harborCode(e.status);
  return { errors: [{ code, message: e.message }] };
}

function send(req: FastifyRequest, reply: FastifyReply, e: AppError): FastifyReply {
  for (const [k, v] of Object.entries(e.headers)) reply.header(k, v);
  // Sent as a string, so no route's response schema ever applies to an error. An unread request
  // body (a refused upload) is drained by Node once the response is sent.
  reply.code(e.status).header('Content-Type', 'application/json; charset=utf-8');
  return req.method === 'HEAD' ? reply.send() : reply.send(JSON.stringify(errorBody(errorArea(req.url), e)));
}

/**
 * The one place errors become responses, for the whole server: handlers and services throw
 * AppError (or let anything else escape), and this writes it in the request's area's format.
 */
export function installErrorMapping(app: FastifyInstance): void {
  app.setErrorHandler((err: unknown, req, reply) => send(req, reply, asAppError(err, req, errorArea(req.url))));
  app.setNotFoundHandler((req, reply) => send(req, reply, new AppError('NOT_FOUND', `${req.method} ${req.url.split('?')[0]} not found`)));
}
