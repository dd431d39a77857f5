import assert from 'node:assert/strict';
import { eventually } from '../helpers/eventually.js';
import { asAdmin, pushImage } from '../helpers/oci.js';
import type { MatrixContext, OperationGroup, ProjectUnderTest } from './operation.js';

/** A policy that keeps everything (the real runs in the matrix must delete nothing). */
const keepAll = (projectId: number) => ({
  algorithm: 'or',
  rules: [{ action: 'retain', template: 'always', params: {}, tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: '**' }], scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: '**' }] } }],
  trigger: { kind: 'Schedule', settings: { cron: '' } },
  scope: { level: 'project', ref: projectId },
});

let api: MatrixContext['api'];
const f = (p: ProjectUnderTest) => p.fixtures as { retentionId: number; retentionEid: number; retentionTid: number };

/** As the administrator: the project's policy, and a finished dry run with one task. */
async function makePolicy(p: ProjectUnderTest): Promise<void> {
  const r = await api('POST', '/retentions', { body: keepAll(p.id) });
  assert.equal(r.status, 201, r.text);
  const id = Number(r.headers.get('location')!.split('/').pop());
  const run = await api('POST', `/retentions/${id}/executions`, { body: { dry_run: true } });
  assert.equal(run.status, 201, run.text);
  const eid = Number(run.headers.get('location')!.split('/').pop());
  const tid = await eventually(async () => {
    const t = await api('GET', `/retentions/${id}/executions/${eid}/tasks`);
    assert.equal(t.status, 200, t.text);
    assert.ok(t.json.length > 0 && t.json.every((x: { status: string }) => x.status === 'Success'), t.text);
    return Number(t.json[0].id);
  });
  Object.assign(p.fixtures, { retentionId: id, retentionEid: eid, retentionTid: tid });
}

/** Harbor's /retentions API (resource tag-retention): project admins, maintainers and developers. It asks for a login first. */
export const retentionOperations: OperationGroup = {
  name: 'tag retention',
  async setup(ctx, p) {
    api = ctx.api;
    await pushImage(asAdmin(ctx.h), `${p.name}/retention-app`, 'v1');
    await makePolicy(p);
  },
  operations: [
    { name: 'GET /retentions/{id}', permission: 'tag-retention:read', loginFirst: true, okStatus: 200, attempt: (as, p) => api('GET', `/retentions/${f(p).retentionId}`, { as }) },
    {
      name: 'PUT /retentions/{id}',
      permission: 'tag-retention:update',
      loginFirst: true,
      okStatus: 200,
      attempt: (as, p) => api('PUT', `/retentions/${f(p).retentionId}`, { as, body: keepAll(p.id) }),
    },
    {
      name: 'POST /retentions/{id}/executions (dry run)',
      permission: 'tag-retention:update',
      loginFirst: true,
      okStatus: 201,
      attempt: (as, p) => api('POST', `/retentions/${f(p).retentionId}/executions`, { as, body: { dry_run: true } }),
    },
    {
      name: 'GET /retentions/{id}/executions',
      permission: 'tag-retention:list',
      loginFirst: true,
      okStatus: 200,
      attempt: (as, p) => api('GET', `/retentions/${f(p).retentionId}/executions`, { as }),
    },
    {
      name: 'PATCH /retentions/{id}/executions/{eid}',
      permission: 'tag-retention:update',
      loginFirst: true,
      okStatus: 200,
      attempt: (as, p) => api('PATCH', `/retentions/${f(p).retentionId}/executions/${f(p).retentionEid}`, { as, body: { action: 'stop' } }),
    },
    {
      name: 'GET /retentions/{id}/executions/{eid}/tasks',
      permission: 'tag-retention:list',
      loginFirst: true,
      okStatus: 200,
      attempt: (as, p) => api('GET', `/retentions/${f(p).retentionId}/executions/${f(p).retentionEid}/tasks`, { as }),
    },
    {
      name: 'GET /retentions/{id}/executions/{eid}/tasks/{tid}',
      permission: 'tag-retention:read',
      loginFirst: true,
      okStatus: 200,
      attempt: (as, p) => api('GET', `/retentions/${f(p).retentionId}/executions/${f(p).retentionEid}/tasks/${f(p).retentionTid}`, { as }),
    },
    {
      // One policy per project: the administrator frees the project first, and whatever the
      // caller got, the project ends with a policy and a finished dry run again.
      name: 'POST /retentions',
      permission: 'tag-retention:create',
      loginFirst: true,
      okStatus: 201,
      hiddenRefusal: 400,
      async attempt(as, p) {
        assert.equal((await api('DELETE', `/retentions/${f(p).retentionId}`)).status, 200);
        const r = await api('POST', '/retentions', { as, body: keepAll(p.id) });
        if (r.status === 201) assert.equal((await api('DELETE', `/retentions/${r.headers.get('location')!.split('/').pop()}`)).status, 200);
        await makePolicy(p);
        return r;
      },
    },
    {
      name: 'DELETE /retentions/{id}',
      permission: 'tag-retention:delete',
      loginFirst: true,
      okStatus: 200,
      attempt: (as, p) => api('DELETE', `/retentions/${f(p).retentionId}`, { as }),
      async restore(_r, p) {
        await makePolicy(p);
      },
    },
  ],
};
