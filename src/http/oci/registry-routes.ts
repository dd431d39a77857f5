import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../platform/errors.js';
import { deleteBlob, getBlob, headBlob } from './blob-handlers.js';
import { catalog, listTags, referrers } from './discovery-handlers.js';
import { locations } from './headers.js';
import { deleteManifest, getManifest, putManifest } from './manifest-handlers.js';
import { matchOciPath, type OciRoute } from './paths.js';
import { cancelUpload, finishUpload, patchUpload, startUpload, uploadStatus } from './upload-handlers.js';
import type { OciContext, OciServices } from './context.js';

const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * The OCI Distribution API. One wildcard route, dispatched on the path's suffix, because
 * repository names are multi-segment and may contain any of the API's keywords as components.
 * Bodies are never parsed by Fastify here: blob handlers stream `request.raw`.
 */
export async function registryRoutes(app: FastifyInstance, opts: { services: OciServices; externalUrl: string }) {
  const urls = locations(opts.externalUrl);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, _payload, done) => done(null));

  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    reply.header('Docker-Distribution-API-Version', 'registry/2.0');
    const qi = req.url.indexOf('?');
    const path = qi < 0 ? req.url : req.url.slice(0, qi);
    const query = new URLSearchParams(qi < 0 ? '' : req.url.slice(qi + 1));
    const route = matchOciPath(path);
    if (!route) throw new AppError('NAME_UNKNOWN', `no registry endpoint at ${path.slice(0, 200)}`, { status: 404 });
    const ctx: OciContext = { req, reply, query, services: opts.services, urls };
    return dispatch(ctx, route, req.method);
  };

  app.route({ method: [...methods], url: '/v2', handler });
  app.route({ method: [...methods], url: '/v2/*', handler });
}

async function dispatch(ctx: OciContext, route: OciRoute, method: string): Promise<void> {
  switch (route.kind) {
    case 'base':
      if (method === 'GET' || method === 'HEAD') {
        await ctx.services.access.authorize(ctx.req, { repository: null, actions: [] });
        return void ctx.reply.code(200).header('Content-Type', 'application/json').send('{}');
      }
      break;
    case 'catalog':
      if (method === 'GET') return catalog(ctx);
      break;
    case 'blob':
      if (method === 'GET') return getBlob(ctx, route.name, route.digest);
      if (method === 'HEAD') return headBlob(ctx, route.name, route.digest);
      if (method === 'DELETE') return deleteBlob(ctx, route.name, route.digest);
      break;
    case 'upload':
      if (route.id === '') {
        if (method === 'POST') return startUpload(ctx, route.name);
        break;
      }
      if (method === 'GET') return uploadStatus(ctx, route.name, route.id);
      if (method === 'PATCH') return patchUpload(ctx, route.name, route.id);
      if (method === 'PUT') return finishUpload(ctx, route.name, route.id);
      if (method === 'DELETE') return cancelUpload(ctx, route.name, route.id);
      break;
    case 'manifest':
      if (method === 'GET' || method === 'HEAD') return getManifest(ctx, route.name, route.reference, method === 'HEAD');
      if (method === 'PUT') return putManifest(ctx, route.name, route.reference);
      if (method === 'DELETE') return deleteManifest(ctx, route.name, route.reference);
      break;
    case 'tags':
      if (method === 'GET') return listTags(ctx, route.name);
      break;
    case 'referrers':
      if (method === 'GET') return referrers(ctx, route.name, route.digest);
      break;
  }
  throw new AppError('UNSUPPORTED', `${method} is not supported here`, { status: 405 });
}
