import { AppError } from '../../platform/errors.js';
import { nextLink } from './headers.js';
import type { OciContext } from './context.js';

function pageSize(q: URLSearchParams): number | undefined {
  const n = q.get('n');
  if (n === null || n === '') return undefined;
  if (!/^\d{1,9}$/.test(n)) throw new AppError('PAGINATION_NUMBER_INVALID', `invalid page size n=${n.slice(0, 20)}`);
  return Number(n);
}

export async function listTags(ctx: OciContext, name: string): Promise<void> {
  await ctx.services.access.authorize(ctx.req, { repository: name, actions: ['pull'] });
  const n = pageSize(ctx.query);
  const page = await ctx.services.discovery.listTags(name, n, ctx.query.get('last') ?? undefined);
  if (page.next !== null) ctx.reply.header('Link', nextLink(`/v2/${name}/tags/list`, n, page.next));
  ctx.reply.code(200).send({ name, tags: page.items });
}

export async function catalog(ctx: OciContext): Promise<void> {
  await ctx.services.access.authorize(ctx.req, { repository: null, actions: [], catalog: true });
  const n = pageSize(ctx.query);
  const page = await ctx.services.discovery.catalog(n, ctx.query.get('last') ?? undefined);
  if (page.next !== null) ctx.reply.header('Link', nextLink('/v2/_catalog', n, page.next));
  ctx.reply.code(200).send({ repositories: page.items });
}

export async function referrers(ctx: OciContext, name: string, digest: string): Promise<void> {
  await ctx.services.access.authorize(ctx.req, { repository: name, actions: ['pull'] });
  const artifactType = ctx.query.get('artifactType') ?? undefined;
  // A Buffer body keeps Fastify from appending "; charset" to the media type clients compare.
  const index = await ctx.services.discovery.referrers(name, digest, artifactType);
  if (artifactType !== undefined) ctx.reply.header('OCI-Filters-Applied', 'artifactType');
  ctx.reply.code(200).header('Content-Type', 'application/vnd.oci.image.index.v1+json').send(Buffer.from(JSON.stringify(index)));
}
