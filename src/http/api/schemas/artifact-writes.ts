import { z } from 'zod';
import { jsonBody, listQuery, queryBool, withHeaders } from './common.js';
import { repositoryParams } from './repositories.js';

export const artifactParams = repositoryParams.extend({ reference: z.string().min(1).max(300) });

export const tagParams = artifactParams.extend({ tag_name: z.string().min(1).max(300) });

export const additionParams = artifactParams.extend({
  addition: z.enum(['build_history', 'values.yaml', 'readme.md', 'dependencies', 'sbom', 'license', 'files']),
});

export const copyQuery = z.object({ from: z.string().min(1).max(1024) });

export const tagListQuery = listQuery.extend({ with_immutable_status: queryBool });

export const tag = z
  .strictObject({
    id: z.number().int(),
    repository_id: z.number().int(),
    artifact_id: z.number().int(),
    name: z.string(),
    push_time: z.string(),
    pull_time: z.string(),
    immutable: z.boolean(),
  })
  .meta({ id: 'Tag' });

export const newTag = jsonBody(z.object({ name: z.string().min(1).max(300) }).meta({ id: 'NewTag' }));

export const additionResp = withHeaders(z.string().describe('Success'), { 'Content-Type': { description: 'The content type of the addition', type: 'string' } });

/** Haven's manifest read: the manifest JSON exactly as pushed. */
export const manifestResp = withHeaders(z.string().describe('The manifest as pushed'), { 'Docker-Content-Digest': { description: 'The digest of the manifest', type: 'string' } });

/** createTag's 201: Harbor sets no Location (there is no API for one tag). */
export const tagCreated = z.void().describe('Created');

export const iconParams = z.object({ digest: z.string().min(1).max(300) });

export const icon = z.strictObject({ 'content-type': z.string(), content: z.string() }).meta({ id: 'Icon' });
