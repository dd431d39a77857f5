import { connectionGone } from '../client-disconnect.js';
import { parseRangeHeader } from './range.js';
import type { OciContext } from './context.js';

export async function headBlob(ctx: OciContext, name: string, digest: string): Promise<void> {
  await ctx.services.access.authorize(ctx.req, { repository: name, actions: ['pull'] });
  const size = await ctx.services.blobs.stat(name, digest);
  blobHeaders(ctx, digest).header('Content-Length', size).code(200).send();
}

export async function getBlob(ctx: OciContext, name: string, digest: string): Promise<void> {
  await ctx.services.access.authorize(ctx.req, { repository: name, actions: ['pull'] });
  const rangeHeader = ctx.req.headers.range;
  const { size, range, send, redirect } = await ctx.services.blobs.read(name, digest, (s) => parseRangeHeader(rangeHeader, s));
  if (redirect) {
    // As distribution with its S3 driver's redirect: the bytes come from the object store.
    ctx.reply.code(307).header('Location', redirect).header('Docker-Content-Digest', digest).header('Content-Length', 0).send();
    return;
  }
  const reply = blobHeaders(ctx, digest);
  // Only a request that came through a trusted proxy (trustProxy, and a forwarded hop) can be
  // answered with X-Accel-Redirect: a client that reached Haven directly would get no body.
  if (ctx.services.accelRedirect && (ctx.req.ips?.length ?? 0) > 1) {
    // Every check (access, recorded vs stored size, a satisfiable range) has passed: nginx sends
    // the file from its internal location, with sendfile, applying the client's Range itself.
    // The path comes from a parsed digest, so it cannot leave the blob tree.
    reply.code(200).header('X-Accel-Redirect', ctx.services.accelRedirect(digest)).send();
    return;
  }
  if (range) {
    reply
      .code(206)
      .header('Content-Range', `bytes ${range.start}-${range.end}/${size}`)
      .header('Content-Length', range.end - range.start + 1);
  } else {
    reply.code(200).header('Content-Length', size);
  }
  // The body bypasses Fastify's stream piping so the storage driver can write straight into the
  // socket with reused buffers; onResponse (the request log) still runs.
  reply.hijack();
  const res = reply.raw;
  res.writeHead(reply.statusCode, reply.getHeaders() as Record<string, string | number | string[]>);
  try {
    await send(res);
    res.end();
  } catch (err) {
    // Cutting the connection is the only honest end once headers promised a length. A client
    // cancelling a pull is routine (the abort hook notes it at info); the blob service has
    // already logged a storage fault as corruption.
    if (connectionGone(ctx.req.raw) || res.destroyed) ctx.req.log.debug({ err, digest }, 'blob transfer ended: client disconnected');
    res.destroy();
  }
}

export async function deleteBlob(ctx: OciContext, name: string, digest: string): Promise<void> {
  await ctx.services.access.authorize(ctx.req, { repository: name, actions: ['delete'] });
  await ctx.services.blobs.delete(name, digest);
  ctx.services.access.record(ctx.req, { operation: 'delete', resourceType: 'blob', repository: name, reference: digest });
  ctx.reply.code(202).header('Content-Length', 0).send();
}

function blobHeaders(ctx: OciContext, digest: string) {
  return ctx.reply
    .header('Content-Type', 'application/octet-stream')
    .header('Docker-Content-Digest', digest)
    .header('ETag', `"${digest}"`)
    .header('Accept-Ranges', 'bytes')
    .header('Cache-Control', 'max-age=31536000');
}
