import { maxManifestBytes } from '../../domain/oci/manifest.js';
import { readLimited } from './body.js';
import type { OciContext } from './context.js';

export async function getManifest(ctx: OciContext, name: string, reference: string, head: boolean): Promise<void> {
  await ctx.services.access.authorize(ctx.req, { repository: name, actions: ['pull'] });
  const m = await ctx.services.manifests.get(name, reference);
  const reply = ctx.reply
    .code(200)
    .header('Content-Type', m.mediaType)
    .header('Docker-Content-Digest', m.digest)
    .header('ETag', `"${m.digest}"`)
    .header('Content-Length', m.content.length);
  if (ctx.req.headers['if-none-match'] === `"${m.digest}"`) return reply.code(304).send();
  if (head) return reply.send();
  ctx.services.pulls?.record(m.id, reference.includes(':') ? null : reference);
  ctx.services.access.record(ctx.req, { operation: 'pull', resourceType: 'artifact', repository: name, reference });
  return reply.send(m.content);
}

export async function putManifest(ctx: OciContext, name: string, reference: string): Promise<void> {
  const { req, reply, services, urls } = ctx;
  await services.access.authorize(req, { repository: name, actions: ['pull', 'push'] });
  const body = await readLimited(req.raw, maxManifestBytes, 'manifest');
  const result = await services.manifests.put(name, reference, body, req.headers['content-type']);
  reply
    .code(201)
    .header('Location', urls.manifest(name, result.digest))
    .header('Docker-Content-Digest', result.digest)
    .header('Content-Length', 0);
  if (result.subject) reply.header('OCI-Subject', result.subject);
  services.access.record(req, { operation: 'create', resourceType: 'artifact', repository: name, reference });
  reply.send();
}

export async function deleteManifest(ctx: OciContext, name: string, reference: string): Promise<void> {
  await ctx.services.access.authorize(ctx.req, { repository: name, actions: ['delete'] });
  await ctx.services.manifests.delete(name, reference);
  const resourceType = reference.includes(':') ? 'artifact' : 'tag';
  ctx.services.access.record(ctx.req, { operation: 'delete', resourceType, repository: name, reference });
  ctx.reply.code(202).header('Content-Length', 0).send();
}
