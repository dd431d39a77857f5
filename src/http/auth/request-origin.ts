import type { FastifyRequest } from 'fastify';

/** host or host:port: DNS-ish names (underscores too, as in compose service names), IPv4, or [IPv6]. */
const hostPattern = /^(?:\[[0-9A-Fa-f:.]{2,45}(?:%[\w.~-]+)?\]|[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.?)(?::\d{1,5})?$/;

export function isValidHost(host: string): boolean {
  return host.length <= 260 && hostPattern.test(host);
}

/**
 * scheme://host of the request, for links and challenges when no external URL is configured.
 * The Host (or, behind a trusted proxy, X-Forwarded-Host/-Proto) is the client's to choose, so
 * anything that is not a plain host[:port] is replaced by the address the request came in on:
 * it never reaches a header as it was sent.
 */
export function requestOrigin(req: FastifyRequest): string {
  const scheme = req.protocol === 'https' ? 'https' : 'http';
  const host = req.host;
  if (typeof host === 'string' && isValidHost(host)) return `${scheme}://${host}`;
  const address = req.socket.localAddress ?? '127.0.0.1';
  const port = req.socket.localPort;
  return `${scheme}://${address.includes(':') ? `[${address}]` : address}${port ? `:${port}` : ''}`;
}

/** A quoted-string for an auth-param (RFC 9110 §11.2): quotes and backslashes escaped, controls dropped. */
export function quoted(value: string): string {
  // eslint-disable-next-line no-control-regex
  return `"${value.replace(/[\x00-\x1f\x7f]/g, '').replace(/["\\]/g, '\\$&')}"`;
}
