import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ArtifactWriteService } from '../../services/content/artifact-writes.js';
import type { IconService } from '../../services/content/icons.js';
import { clientIp } from '../auth/credentials.js';
import { pageOf, sendPage } from './paging.js';
import { repositoryName } from './repository-routes.js';
import { additionParams, additionResp, artifactParams, manifestResp, copyQuery, icon, iconParams, newTag, tag, tagCreated, tagListQuery, tagParams } from './schemas/artifact-writes.js';
import { created, listOf, noContent } from './schemas/common.js';
import { repositoryParams } from './schemas/repositories.js';

const tags = ['artifact'];

export interface ArtifactWriteDeps {
  artifacts: ArtifactWriteService;
  icons: IconService;
}

/** Harbor's artifact writes (delete, copy, tags), additions and icons. */
export const artifactWriteRoutes: FastifyPluginAsyncZod<ArtifactWriteDeps> = async (app, { artifacts, icons }) => {
  app.delete('/projects/:project_name/repositories/:repository_name/artifacts/:reference', { schema: { operationId: 'deleteArtifact', tags, params: artifactParams, response: { 200: noContent } } }, async (req, reply) => {
    const p = req.params;
    await artifacts.delete(req.principal, p.project_name, repositoryName(p.repository_name), p.reference, clientIp(req));
    reply.code(200).send();
  });

  app.post('/projects/:project_name/repositories/:repository_name/artifacts', { schema: { operationId: 'CopyArtifact', tags, params: repositoryParams, querystring: copyQuery, response: { 201: created } } }, async (req, reply) => {
    const p = req.params;
    const { reference } = await artifacts.copy(req.principal, p.project_name, repositoryName(p.repository_name), req.query.from, clientIp(req));
    // As Harbor: the request path with the source's reference appended.
    const path = (req.url.split('?')[0] ?? '').replace(/\/$/, '');
    reply.code(201).header('Location', `${path}/${reference}`).send();
  });

  app.get('/projects/:project_name/repositories/:repository_name/artifacts/:reference/tags', { schema: { operationId: 'listTags', tags, params: artifactParams, querystring: tagListQuery, response: { 200: listOf(tag) } } }, async (req, reply) => {
    const p = req.params;
    const q = req.query;
    return sendPage(req, reply, q, artifacts.listTags(req.principal, p.project_name, repositoryName(p.repository_name), p.reference, { q: q.q, sort: q.sort, withImmutableStatus: q.with_immutable_status }, pageOf(q)));
  });

  app.post('/projects/:project_name/repositories/:repository_name/artifacts/:reference/tags', { schema: { operationId: 'createTag', tags, params: artifactParams, body: newTag, response: { 201: tagCreated } } }, async (req, reply) => {
    const p = req.params;
    await artifacts.createTag(req.principal, p.project_name, repositoryName(p.repository_name), p.reference, req.body.name, clientIp(req));
    reply.code(201).send();
  });

  app.delete('/projects/:project_name/repositories/:repository_name/artifacts/:reference/tags/:tag_name', { schema: { operationId: 'deleteTag', tags, params: tagParams, response: { 200: noContent } } }, async (req, reply) => {
    const p = req.params;
    await artifacts.deleteTag(req.principal, p.project_name, repositoryName(p.repository_name), p.reference, p.tag_name, clientIp(req));
    reply.code(200).send();
  });

  app.get('/projects/:project_name/repositories/:repository_name/artifacts/:reference/additions/vulnerabilities', { schema: { operationId: 'getVulnerabilitiesAddition', tags, params: artifactParams, response: { 200: additionResp } } }, async (req, reply) => {
    const p = req.params;
    const a = await artifacts.addition(req.principal, p.project_name, repositoryName(p.repository_name), p.reference, 'vulnerabilities');
    reply.code(200).type(a.contentType).header('X-Content-Type-Options', 'nosniff').send(a.content);
  });

  app.get('/projects/:project_name/repositories/:repository_name/artifacts/:reference/additions/:addition', { schema: { operationId: 'getAddition', tags, params: additionParams, response: { 200: additionResp } } }, async (req, reply) => {
    const p = req.params;
    const a = await artifacts.addition(req.principal, p.project_name, repositoryName(p.repository_name), p.reference, p.addition);
    // A string payload is sent as is: the content type says what it is (JSON, markdown, YAML).
    reply.code(200).type(a.contentType).header('X-Content-Type-Options', 'nosniff').send(a.content);
  });

  // Haven's own (not in Harbor): the manifest's bytes, for the portal's artifact detail page.
  app.get('/projects/:project_name/repositories/:repository_name/artifacts/:reference/manifest', { schema: { operationId: 'getArtifactManifest', tags, params: artifactParams, response: { 200: manifestResp } } }, async (req, reply) => {
    const p = req.params;
    const m = await artifacts.manifest(req.principal, p.project_name, repositoryName(p.repository_name), p.reference);
    // Sent as JSON whatever its media type (a manifest is JSON), with the digest as /v2 does.
    reply.code(200).type('application/json; charset=utf-8').header('Docker-Content-Digest', m.digest).header('X-Content-Type-Options', 'nosniff').send(m.content.toString('utf8'));
  });

  app.get('/icons/:digest', { schema: { operationId: 'getIcon', tags: ['icon'], params: iconParams, response: { 200: icon } } }, async (req) => icons.get(req.principal, req.params.digest));
};
