import type { FastifyRequest } from 'fastify';

export type Credentials =
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'bearer'; token: string }
  | { kind: 'none' }
  | { kind: 'malformed' };

/** Reads the Authorization header; the password is never logged or kept past the request. */
export function readCredentials(req: FastifyRequest): Credentials {
  const header = req.headers.authorization;
  if (!header) return { kind: 'none' };
  const space = header.indexOf(' ');
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (scheme === 'bearer' && value) return { kind: 'bearer', token: value };
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { kind: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return { kind: 'malformed' };
}

export function clientIp(req: FastifyRequest): string {
  return req.ip;
}
