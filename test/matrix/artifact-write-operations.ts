import { pushImageWithHistory } from '../helpers/artifact-writes.js';
import { asAdmin, pushImage } from '../helpers/oci.js';
import type { RunningHaven } from '../helpers/haven.js';
import type { MatrixContext, OperationGroup } from './operation.js';

let ctx: MatrixContext;
const repoPath = (p: { name: string }, repo: string) => `/projects/${p.name}/repositories/${repo}`;
const push = (h: RunningHaven, repo: string) => pushImage(asAdmin(h), repo, 'v1', 1, 64);

/** Repositories, artifact delete and copy, tags and additions: Harbor's permissions for each. */
export const artifactWriteOperations: OperationGroup = {
  name: 'repositories and artifact writes',
  async setup(c, p) {
    ctx = c;
    await pushImageWithHistory(asAdmin(c.h), `${p.name}/mx`, 'v1', [{ created: '2024-01-01T00:00:00Z', created_by: 'RUN true' }]);
    await c.api('POST', `${repoPath(p, 'mx')}/artifacts/v1/tags`, { body: { name: 'mxdeltag' } });
    await push(c.h, `${p.name}/mxdel`);
    await push(c.h, `${p.name}/mxart`);
  },
  operations: [
    { name: 'GET /projects/{name}/repositories', permission: 'repository:list', okStatus: 200, attempt: (as, p) => ctx.api('GET', `/projects/${p.name}/repositories`, { as }) },
    { name: 'GET /projects/{name}/repositories/{repo}', permission: 'repository:read', okStatus: 200, attempt: (as, p) => ctx.api('GET', repoPath(p, 'mx'), { as }) },
    {
      name: 'PUT /projects/{name}/repositories/{repo}',
      permission: 'repository:update',
      okStatus: 200,
      attempt: (as, p) => ctx.api('PUT', repoPath(p, 'mx'), { as, body: { description: 'changed' } }),
    },
    {
      name: 'DELETE /projects/{name}/repositories/{repo}',
      permission: 'repository:delete',
      okStatus: 200,
      attempt: (as, p) => ctx.api('DELETE', repoPath(p, 'mxdel'), { as }),
      async restore(_r, p) {
        await push(ctx.h, `${p.name}/mxdel`);
      },
    },
    {
      name: 'DELETE .../artifacts/{reference}',
      permission: 'artifact:delete',
      okStatus: 200,
      attempt: (as, p) => ctx.api('DELETE', `${repoPath(p, 'mxart')}/artifacts/v1`, { as }),
      async restore(_r, p) {
        await push(ctx.h, `${p.name}/mxart`);
      },
    },
    {
      name: 'POST .../artifacts?from= (copy)',
      permission: 'artifact:create',
      okStatus: 201,
      attempt: (as, p) => ctx.api('POST', `${repoPath(p, 'mxcopy')}/artifacts?from=${encodeURIComponent(`${p.name}/mx:v1`)}`, { as }),
      async restore(_r, p) {
        await ctx.api('DELETE', repoPath(p, 'mxcopy'));
      },
    },
    { name: 'GET .../artifacts/{reference}/tags', permission: 'tag:list', okStatus: 200, attempt: (as, p) => ctx.api('GET', `${repoPath(p, 'mx')}/artifacts/v1/tags`, { as }) },
    {
      name: 'POST .../artifacts/{reference}/tags',
      permission: 'tag:create',
      okStatus: 201,
      attempt: (as, p) => ctx.api('POST', `${repoPath(p, 'mx')}/artifacts/v1/tags`, { as, body: { name: 'mxnew' } }),
      async restore(_r, p) {
        await ctx.api('DELETE', `${repoPath(p, 'mx')}/artifacts/v1/tags/mxnew`);
      },
    },
    {
      name: 'DELETE .../artifacts/{reference}/tags/{tag}',
      permission: 'tag:delete',
      okStatus: 200,
      attempt: (as, p) => ctx.api('DELETE', `${repoPath(p, 'mx')}/artifacts/v1/tags/mxdeltag`, { as }),
      async restore(_r, p) {
        await ctx.api('POST', `${repoPath(p, 'mx')}/artifacts/v1/tags`, { body: { name: 'mxdeltag' } });
      },
    },
    {
      name: 'GET .../artifacts/{reference}/additions/build_history',
      permission: 'artifact-addition:read',
      okStatus: 200,
      attempt: (as, p) => ctx.api('GET', `${repoPath(p, 'mx')}/artifacts/v1/additions/build_history`, { as }),
    },
    {
      name: 'GET .../artifacts/{reference}/additions/vulnerabilities',
      permission: 'artifact-addition:read',
      okStatus: 200,
      attempt: (as, p) => ctx.api('GET', `${repoPath(p, 'mx')}/artifacts/v1/additions/vulnerabilities`, { as }),
    },
  ],
};
