import assert from 'node:assert/strict';
import type { OperationGroup, ProjectUnderTest, Who } from './operation.js';

/** Harbor's rule body; `pattern` keeps each caller's rule distinct (duplicates are refused). */
const rule = (pattern: string, id?: number) => ({
  ...(id !== undefined ? { id } : {}),
  action: 'immutable',
  template: 'immutable_template',
  tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern }],
  scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: '**' }] },
});

const ruleId = (p: ProjectUnderTest) => p.fixtures.immutableRuleId as number;
const slug = (who: Who) => who.toLowerCase();

let api: Parameters<NonNullable<OperationGroup['setup']>>[0]['api'];

/** The immutable tag rules API (resource immutable-tag): project admins and maintainers only. */
export const immutableOperations: OperationGroup = {
  name: 'immutable tag rules',
  async setup(ctx, p) {
    api = ctx.api;
    const r = await ctx.api('POST', `/projects/${p.id}/immutabletagrules`, { body: rule('matrix-*') });
    assert.equal(r.status, 201, r.text);
    p.fixtures.immutableRuleId = Number(r.headers.get('location')!.split('/').pop());
  },
  operations: [
    {
      name: 'GET /projects/{id}/immutabletagrules',
      permission: 'immutable-tag:list',
      okStatus: 200,
      attempt: (as, p) => api('GET', `/projects/${p.id}/immutabletagrules`, { as }),
    },
    {
      name: 'POST /projects/{id}/immutabletagrules',
      permission: 'immutable-tag:create',
      okStatus: 201,
      attempt: (as, p, who) => api('POST', `/projects/${p.id}/immutabletagrules`, { as, body: rule(`by-${slug(who)}-*`) }),
      async restore(r, p) {
        const id = r.headers.get('location')!.split('/').pop();
        assert.equal((await api('DELETE', `/projects/${p.id}/immutabletagrules/${id}`)).status, 200);
      },
    },
    {
      name: 'PUT /projects/{id}/immutabletagrules/{rule}',
      permission: 'immutable-tag:update',
      okStatus: 200,
      attempt: (as, p) => api('PUT', `/projects/${p.id}/immutabletagrules/${ruleId(p)}`, { as, body: rule('matrix-*', ruleId(p)) }),
    },
    {
      name: 'DELETE /projects/{id}/immutabletagrules/{rule}',
      permission: 'immutable-tag:delete',
      okStatus: 200,
      attempt: (as, p) => api('DELETE', `/projects/${p.id}/immutabletagrules/${ruleId(p)}`, { as }),
      async restore(_r, p) {
        const r = await api('POST', `/projects/${p.id}/immutabletagrules`, { body: rule('matrix-*') });
        assert.equal(r.status, 201, r.text);
        p.fixtures.immutableRuleId = Number(r.headers.get('location')!.split('/').pop());
      },
    },
  ],
};
