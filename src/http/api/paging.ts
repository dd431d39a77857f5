import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../platform/errors.js';

export interface Paging {
  page: number;
  pageSize: number;
  offset: number;
}

/** Harbor's `page` (from 1) and `page_size` (default 10, at most 100). */
export function readPaging(query: Record<string, unknown>): Paging {
  const page = intParam(query.page, 'page', 1);
  const pageSize = intParam(query.page_size, 'page_size', 10);
  if (page < 1) throw new AppError('BAD_REQUEST', 'page must be 1 or more');
  if (pageSize < 1 || pageSize > 100) throw new AppError('BAD_REQUEST', 'page_size must be between 1 and 100');
  return { page, pageSize, offset: (page - 1) * pageSize };
}

function intParam(v: unknown, name: string, dflt: number): number {
  if (v === undefined || v === '') return dflt;
  if (typeof v !== 'string' || !/^\d{1,9}$/.test(v)) throw new AppError('BAD_REQUEST', `${name} must be a positive integer`);
  return Number(v);
}

/** X-Total-Count and a Link header with prev/next, as Harbor's list endpoints answer. */
export function setPageHeaders(req: FastifyRequest, reply: FastifyReply, p: Paging, total: number): void {
  reply.header('X-Total-Count', total);
  const [path, qs] = req.url.split('?');
  const links: string[] = [];
  const at = (page: number) => {
    const q = new URLSearchParams(qs ?? '');
    q.set('page', String(page));
    q.set('page_size', String(p.pageSize));
    return `<${path}?${q.toString()}>`;
  };
  if (p.page > 1) links.push(`${at(p.page - 1)}; rel="prev"`);
  if (p.offset + p.pageSize < total) links.push(`${at(p.page + 1)}; rel="next"`);
  if (links.length > 0) reply.header('Link', links.join(' , '));
}
