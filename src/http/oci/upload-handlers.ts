import { requestBody } from '../body-bytes.js';
import { abortedOnDisconnect } from '../request-signal.js';
import { hasBody } from './body.js';
import { uploadRange } from './headers.js';
import { parseContentRange } from './range.js';
import type { OciContext } from './context.js';

function optional(q: URLSearchParams, key: string): string | undefined {
  return q.get(key) ?? undefined;
}

/** Runs an upload step that streams the request body; a client that leaves stops it. */
async function streaming<T>(ctx: OciContext, id: string | null, step: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const signal = abortedOnDisconnect(ctx.req.raw);
  try {
    return await step(signal);
  } catch (err) {
    if (signal.aborted) ctx.req.log.info({ upload: id }, 'upload stopped: client disconnected');
    throw err;
  }
}

export async function startUpload(ctx: OciContext, name: string): Promise<void> {
  const { req, reply, query, services, urls } = ctx;
  const from = query.has('mount') ? (query.get('from') ?? undefined) : undefined;
  await services.access.authorize(req, { repository: name, actions: ['pull', 'push'], ...(from !== undefined && from !== name ? { mountFrom: from } : {}) });
  const digest = optional(query, 'digest');
  const result = await streaming(ctx, null, (signal) =>
    services.uploads.start(name, {
      ...(digest !== undefined ? { digest, body: hasBody(req.raw) ? requestBody(req.raw) : null } : {}),
      ...(query.has('mount') ? { mount: query.get('mount')! } : {}),
      ...(query.has('from') ? { from: query.get('from')! } : {}),
      canRead: (repo) => services.access.canRead(req, repo),
      signal,
    }),
  );
  if (result.kind === 'created') {
    reply
      .code(201)
      .header('Location', urls.blob(name, result.digest))
      .header('Docker-Content-Digest', result.digest)
      .header('Content-Length', 0)
      .send();
    return;
  }
  if (hasBody(req.raw)) req.raw.resume();
  sessionReply(ctx, name, result.id, result.offset).code(202).send();
}

export async function uploadStatus(ctx: OciContext, name: string, id: string): Promise<void> {
  await ctx.services.access.authorize(ctx.req, { repository: name, actions: ['pull', 'push'] });
  const offset = await ctx.services.uploads.status(name, id);
  sessionReply(ctx, name, id, offset).code(204).send();
}

export async function patchUpload(ctx: OciContext, name: string, id: string): Promise<void> {
  const { req, services } = ctx;
  await services.access.authorize(req, { repository: name, actions: ['pull', 'push'] });
  const range = parseContentRange(req.headers['content-range']);
  const offset = await streaming(ctx, id, (signal) => services.uploads.patch(name, id, requestBody(req.raw), range, signal));
  sessionReply(ctx, name, id, offset).code(202).send();
}

export async function finishUpload(ctx: OciContext, name: string, id: string): Promise<void> {
  const { req, reply, query, services, urls } = ctx;
  await services.access.authorize(req, { repository: name, actions: ['pull', 'push'] });
  const digest = query.get('digest') ?? '';
  const range = parseContentRange(req.headers['content-range']);
  const body = hasBody(req.raw) ? requestBody(req.raw) : null;
  await streaming(ctx, id, (signal) => services.uploads.finish(name, id, digest, body, range, signal));
  reply
    .code(201)
    .header('Location', urls.blob(name, digest))
    .header('Docker-Content-Digest', digest)
    .header('Content-Length', 0)
    .send();
}

export async function cancelUpload(ctx: OciContext, name: string, id: string): Promise<void> {
  await ctx.services.access.authorize(ctx.req, { repository: name, actions: ['pull', 'push'] });
  await ctx.services.uploads.cancel(name, id);
  ctx.reply.code(204).send();
}

function sessionReply(ctx: OciContext, name: string, id: string, offset: number) {
  return ctx.reply
    .header('Location', ctx.urls.upload(name, id))
    .header('Range', uploadRange(offset))
    .header('Docker-Upload-UUID', id)
    .header('Content-Length', 0);
}
