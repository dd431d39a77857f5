import assert from 'node:assert/strict';
import { asAdmin, pushImage } from '../helpers/oci.js';
import type { MatrixContext, Operation, OperationGroup, ProjectUnderTest } from './operation.js';

/**
 * Project labels, labels on artifacts and project metadata, role by role. Each operation that
 * consumes what it acts on (a deleted label, an attached one) has its own fixture, put back by
 * `restore` as the administrator, so the order of callers never changes an answer.
 */
let ctx: MatrixContext;
const api: MatrixContext['api'] = (method, path, opts) => ctx.api(method, path, opts);

const id = (p: ProjectUnderTest, key: string) => p.fixtures[key] as number;

async function createLabel(p: ProjectUnderTest, name: string): Promise<number> {
  const r = await api('POST', '/labels', { body: { name, scope: 'p', project_id: p.id } });
  assert.equal(r.status, 201, r.text);
  return Number(r.headers.get('location')!.split('/').pop());
}

const artifactLabels = (p: ProjectUnderTest) => `/projects/${p.name}/repositories/app/artifacts/v1/labels`;

const operations: Operation[] = [
  {
    name: 'GET /labels?scope=p&project_id=N',
    permission: 'label:list',
    okStatus: 200,
    attempt: (as, p) => api('GET', `/labels?scope=p&project_id=${p.id}`, { as }),
  },
  { name: 'GET /labels/{id}', permission: 'label:read', okStatus: 200, attempt: (as, p) => api('GET', `/labels/${id(p, 'label')}`, { as }) },
  {
    name: 'POST /labels (project)',
    permission: 'label:create',
    loginFirst: true,
    okStatus: 201,
    attempt: (as, p, who) => api('POST', '/labels', { as, body: { name: `made-by-${who}`, scope: 'p', project_id: p.id } }),
    async restore(r) {
      assert.equal((await api('DELETE', `/labels/${r.headers.get('location')!.split('/').pop()}`)).status, 200);
    },
  },
  {
    name: 'PUT /labels/{id}',
    permission: 'label:update',
    okStatus: 200,
    attempt: (as, p, who) => api('PUT', `/labels/${id(p, 'label')}`, { as, body: { description: `changed by ${who}` } }),
  },
  {
    name: 'DELETE /labels/{id}',
    permission: 'label:delete',
    okStatus: 200,
    attempt: (as, p) => api('DELETE', `/labels/${id(p, 'doomed')}`, { as }),
    async restore(_r, p) {
      p.fixtures.doomed = await createLabel(p, 'doomed');
    },
  },
  {
    name: 'POST .../artifacts/{ref}/labels',
    permission: 'artifact-label:create',
    okStatus: 200,
    attempt: (as, p) => api('POST', artifactLabels(p), { as, body: { id: id(p, 'attach') } }),
    async restore(_r, p) {
      assert.equal((await api('DELETE', `${artifactLabels(p)}/${id(p, 'attach')}`)).status, 200);
    },
  },
  {
    name: 'DELETE .../artifacts/{ref}/labels/{id}',
    permission: 'artifact-label:delete',
    okStatus: 200,
    async attempt(as, p) {
      // Attached before every attempt (already attached after a refusal: 409, fine).
      const pre = await api('POST', artifactLabels(p), { body: { id: id(p, 'detach') } });
      assert.ok(pre.status === 200 || pre.status === 409, pre.text);
      return api('DELETE', `${artifactLabels(p)}/${id(p, 'detach')}`, { as });
    },
  },
  { name: 'GET /projects/{id}/metadatas/', permission: 'metadata:list', okStatus: 200, attempt: (as, p) => api('GET', `/projects/${p.id}/metadatas/`, { as }) },
  { name: 'GET /projects/{id}/metadatas/{key}', permission: 'metadata:read', okStatus: 200, attempt: (as, p) => api('GET', `/projects/${p.id}/metadatas/auto_scan`, { as }) },
  {
    name: 'POST /projects/{id}/metadatas/',
    permission: 'metadata:create',
    okStatus: 200,
    attempt: (as, p) => api('POST', `/projects/${p.id}/metadatas/`, { as, body: { prevent_vul: 'true' } }),
    async restore(_r, p) {
      assert.equal((await api('DELETE', `/projects/${p.id}/metadatas/prevent_vul`)).status, 200);
    },
  },
  {
    name: 'PUT /projects/{id}/metadatas/{key}',
    permission: 'metadata:update',
    okStatus: 200,
    attempt: (as, p) => api('PUT', `/projects/${p.id}/metadatas/auto_scan`, { as, body: { auto_scan: 'true' } }),
  },
  {
    name: 'DELETE /projects/{id}/metadatas/{key}',
    permission: 'metadata:delete',
    okStatus: 200,
    attempt: (as, p) => api('DELETE', `/projects/${p.id}/metadatas/severity`, { as }),
    async restore(_r, p) {
      assert.equal((await api('POST', `/projects/${p.id}/metadatas/`, { body: { severity: 'low' } })).status, 200);
    },
  },
];

export const labelsSystemGroup: OperationGroup = {
  name: 'labels and project metadata',
  async setup(c, p) {
    ctx = c;
    await pushImage(asAdmin(c.h), `${p.name}/app`, 'v1');
    p.fixtures.label = await createLabel(p, 'fixture');
    p.fixtures.doomed = await createLabel(p, 'doomed');
    p.fixtures.attach = await createLabel(p, 'attach');
    p.fixtures.detach = await createLabel(p, 'detach');
    for (const body of [{ auto_scan: 'false' }, { severity: 'low' }]) {
      assert.equal((await api('POST', `/projects/${p.id}/metadatas/`, { body })).status, 200);
    }
  },
  operations,
};
