import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where `npm run build` puts the portal: dist/web beside the compiled server (dist/http/portal). */
export const builtPortalDir = fileURLToPath(new URL('../../web/', import.meta.url));

/**
 * The portal's pages are the browser's to render: a browser's GET of any page path that is not
 * an API, registry, token or session path gets index.html, so that a bookmarked
 * /projects/3/repositories loads the app.
 */
const serverPaths = /^\/(api|v2|service|c|metrics|swagger\.json|assets)(\/|$|\?)/;

// The portal loads nothing from elsewhere (it must work offline). Ant Design writes its styles
// into <style> elements at run time, hence 'unsafe-inline' for styles only: scripts stay 'self'.
const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const missingPortal = `<!doctype html><meta charset="utf-8"><title>Haven</title>
<p>The portal is not built. Run <code>npm run build</code> (or <code>npm start</code>), then reload.</p>
<p>The API is at <a href="/api/v2.0/ping">/api/v2.0</a>.</p>`;

export interface PortalOptions {
  /** The built portal; a missing one serves a page that says how to build it. */
  dir?: string;
}

/**
 * Serves the built portal at /: hashed assets (Vite names them by content) with a year-long
 * immutable cache, precompressed .br/.gz chosen by Accept-Encoding, and index.html, never cached,
 * for every page path (history-API fallback).
 */
export async function portalRoutes(app: FastifyInstance, opts: PortalOptions) {
  const dir = opts.dir ?? builtPortalDir;
  const indexFile = join(dir, 'index.html');
  const built = existsSync(indexFile);
  // Read once: index.html is small and only changes with a new build (and a restart).
  const index = built ? readFileSync(indexFile) : Buffer.from(missingPortal);
  const faviconFile = join(dir, 'favicon.svg');
  const favicon = existsSync(faviconFile) ? readFileSync(faviconFile) : null;

  const sendIndex = (reply: FastifyReply) =>
    reply
      .header('Cache-Control', 'no-cache')
      .header('Content-Security-Policy', contentSecurityPolicy)
      .header('X-Frame-Options', 'DENY')
      .header('Referrer-Policy', 'same-origin')
      .type('text/html; charset=utf-8')
      .send(index);

  if (built) {
    await app.register(fastifyStatic, {
      root: join(dir, 'assets'),
      prefix: '/assets/',
      preCompressed: true,
      immutable: true,
      maxAge: '365d',
      index: false,
      wildcard: true,
    });
  }

  const page = async (req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?')[0] ?? '/';
    if (serverPaths.test(path)) return reply.callNotFound();
    if (path === '/favicon.svg' && favicon) return reply.header('Cache-Control', 'public, max-age=86400').type('image/svg+xml').send(favicon);
    // Only a browser navigating gets the app (it asks for HTML); a client or script asking for
    // anything else, or for a file that is not there (`/haven.db`, `/x.js`), gets the JSON 404.
    if (path !== '/' && (!/text\/html/.test(req.headers.accept ?? '') || /\.[A-Za-z0-9]+$/.test(path))) return reply.callNotFound();
    return sendIndex(reply);
  };
  app.get('/', page);
  app.get('/*', page);
}
