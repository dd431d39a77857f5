import type { IncomingMessage } from 'node:http';
import { AppError } from '../../platform/errors.js';

/** Whether a request carries a body at all (a chunked one has no Content-Length). */
export function hasBody(req: IncomingMessage): boolean {
  const len = req.headers['content-length'];
  if (len !== undefined) return Number(len) > 0;
  return req.headers['transfer-encoding'] !== undefined;
}

/** Reads a small body (a manifest) into memory, refusing with 413 past `limit` bytes. */
export async function readLimited(req: IncomingMessage, limit: number, what: string): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  const tooLarge = () =>
    new AppError('MANIFEST_INVALID', `${what} exceeds the ${limit / 1024 / 1024} MiB limit`, { status: 413 });
  if (declared > limit) {
    req.resume();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let total = 0;
  // Past the limit we keep draining (without keeping) so the 413 can still be written back;
  // leaving the loop early would destroy the socket along with the request.
  for await (const chunk of req) {
    total += (chunk as Buffer).length;
    if (total <= limit) chunks.push(chunk as Buffer);
  }
  if (total > limit) throw tooLarge();
  return Buffer.concat(chunks, total);
}
