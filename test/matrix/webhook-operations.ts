import assert from 'node:assert/strict';
import { eventually } from '../helpers/eventually.js';
import { asAdmin, pushImage } from '../helpers/oci.js';
import type { OperationGroup, ProjectUnderTest, Who } from './operation.js';

/** A policy body; the name keeps each caller's policy distinct (names are unique per project). */
const policy = (name: string) => ({ name, event_types: ['PUSH_ARTIFACT'], targets: [{ type: 'http', address: 'http://hooks.example.com/matrix' }] });

const policyId = (p: ProjectUnderTest) => p.fixtures.webhookPolicyId as number;
/** The execution and task a push gave the policy that stays (its delivery fails: nothing listens there). */
const delivery = (p: ProjectUnderTest) => p.fixtures as { webhookKeptPolicy: number; webhookEid: number; webhookTid: number };
const slug = (who: Who) => who.toLowerCase();

let api: Parameters<NonNullable<OperationGroup['setup']>>[0]['api'];

/** The webhook API (resource notification-policy): project admins write, maintainers read. */
export const webhookOperations: OperationGroup = {
  name: 'webhook policies',
  async setup(ctx, p) {
    api = ctx.api;
    const r = await ctx.api('POST', `/projects/${p.id}/webhook/policies`, { body: policy('matrix') });
    assert.equal(r.status, 201, r.text);
    p.fixtures.webhookPolicyId = Number(r.headers.get('location')!.split('/').pop());
    // A second policy that no operation deletes, and a push for it to record.
    const kept = await ctx.api('POST', `/projects/${p.id}/webhook/policies`, { body: policy('kept') });
    assert.equal(kept.status, 201, kept.text);
    const keptId = Number(kept.headers.get('location')!.split('/').pop());
    await pushImage(asAdmin(ctx.h), `${p.name}/webhook-app`, 'v1');
    const [eid, tid] = await eventually(async () => {
      const e = await ctx.api('GET', `/projects/${p.id}/webhook/policies/${keptId}/executions`);
      assert.equal(e.status, 200, e.text);
      assert.ok(e.json.length > 0, 'no execution yet');
      const t = await ctx.api('GET', `/projects/${p.id}/webhook/policies/${keptId}/executions/${e.json[0].id}/tasks`);
      assert.ok(t.json.length > 0, 'no task yet');
      return [Number(e.json[0].id), Number(t.json[0].id)];
    });
    Object.assign(p.fixtures, { webhookKeptPolicy: keptId, webhookEid: eid, webhookTid: tid });
  },
  operations: [
    { name: 'GET /projects/{id}/webhook/policies', permission: 'notification-policy:list', okStatus: 200, attempt: (as, p) => api('GET', `/projects/${p.id}/webhook/policies`, { as }) },
    { name: 'GET /projects/{id}/webhook/policies/{policy}', permission: 'notification-policy:read', okStatus: 200, attempt: (as, p) => api('GET', `/projects/${p.id}/webhook/policies/${policyId(p)}`, { as }) },
    {
      name: 'GET /projects/{id}/webhook/policies/{policy}/executions',
      permission: 'notification-policy:read',
      okStatus: 200,
      attempt: (as, p) => api('GET', `/projects/${p.id}/webhook/policies/${policyId(p)}/executions`, { as }),
    },
    {
      name: 'GET /projects/{id}/webhook/policies/{policy}/executions/{eid}/tasks',
      permission: 'notification-policy:read',
      okStatus: 200,
      attempt: (as, p) => api('GET', `/projects/${p.id}/webhook/policies/${delivery(p).webhookKeptPolicy}/executions/${delivery(p).webhookEid}/tasks`, { as }),
    },
    {
      name: 'GET /projects/{id}/webhook/policies/{policy}/executions/{eid}/tasks/{tid}/log',
      permission: 'notification-policy:read',
      okStatus: 200,
      attempt: (as, p) => {
        const d = delivery(p);
        return api('GET', `/projects/${p.id}/webhook/policies/${d.webhookKeptPolicy}/executions/${d.webhookEid}/tasks/${d.webhookTid}/log`, { as });
      },
    },
    { name: 'GET /projects/{id}/webhook/lasttrigger', permission: 'notification-policy:read', okStatus: 200, attempt: (as, p) => api('GET', `/projects/${p.id}/webhook/lasttrigger`, { as }) },
    { name: 'GET /projects/{id}/webhook/events', permission: 'notification-policy:read', okStatus: 200, attempt: (as, p) => api('GET', `/projects/${p.id}/webhook/events`, { as }) },
    { name: 'GET /projects/{id}/webhook/jobs', permission: 'notification-policy:list', okStatus: 200, attempt: (as, p) => api('GET', `/projects/${p.id}/webhook/jobs?policy_id=${policyId(p)}`, { as }) },
    {
      name: 'POST /projects/{id}/webhook/policies',
      permission: 'notification-policy:create',
      okStatus: 201,
      attempt: (as, p, who) => api('POST', `/projects/${p.id}/webhook/policies`, { as, body: policy(`by-${slug(who)}`) }),
      async restore(r, p) {
        const id = r.headers.get('location')!.split('/').pop();
        assert.equal((await api('DELETE', `/projects/${p.id}/webhook/policies/${id}`)).status, 200);
      },
    },
    {
      name: 'PUT /projects/{id}/webhook/policies/{policy}',
      permission: 'notification-policy:update',
      okStatus: 200,
      attempt: (as, p) => api('PUT', `/projects/${p.id}/webhook/policies/${policyId(p)}`, { as, body: policy('matrix') }),
    },
    {
      name: 'DELETE /projects/{id}/webhook/policies/{policy}',
      permission: 'notification-policy:delete',
      okStatus: 200,
      attempt: (as, p) => api('DELETE', `/projects/${p.id}/webhook/policies/${policyId(p)}`, { as }),
      async restore(_r, p) {
        const r = await api('POST', `/projects/${p.id}/webhook/policies`, { body: policy('matrix') });
        assert.equal(r.status, 201, r.text);
        p.fixtures.webhookPolicyId = Number(r.headers.get('location')!.split('/').pop());
      },
    },
  ],
};
