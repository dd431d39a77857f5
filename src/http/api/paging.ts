import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PagingQuery } from './schemas/common.js';

/** The store's window for Harbor's page (from 1) and page_size, as the paging schema parsed them. */
export function pageOf(q: PagingQuery): { offset: number; limit: number } {
  return { offset: (q.page - 1) * q.page_size, limit: q.page_size };
}

/** X-Total-Count and a Link header with prev/next, as Harbor's list endpoints answer. */
export function setPageHeaders(req: FastifyRequest, reply: FastifyReply, p: PagingQuery, total: number): void {
  reply.header('X-Total-Count', total);
  const [path, qs] = req.url.split('?');
  const links: string[] = [];
  const at = (page: number) => {
    const q = new URLSearchParams(qs ?? '');
    q.set('page', String(page));
    q.set('page_size', String(p.page_size));
    return `<${path}?${q.toString()}>`;
  };
  if (p.page > 1) links.push(`${at(p.page - 1)}; rel="prev"`);
  if ((p.page - 1) * p.page_size + p.page_size < total) links.push(`${at(p.page + 1)}; rel="next"`);
  if (links.length > 0) reply.header('Link', links.join(' , '));
}

/** A page of a list and its total, the shape every list service returns. */
export async function sendPage<T>(req: FastifyRequest, reply: FastifyReply, q: PagingQuery, list: Promise<{ items: T[]; total: number }>): Promise<T[]> {
  const { items, total } = await list;
  setPageHeaders(req, reply, q, total);
  return items;
}
