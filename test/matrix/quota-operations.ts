import type { MatrixContext, OperationGroup } from './operation.js';

let api: MatrixContext['api'] | undefined;

/**
 * Quotas in the matrix: /quotas itself is for system administrators only (test/quota-api.test.ts
 * checks that for a project admin, a non-admin and anonymous), so what project roles see is the
 * quota in the project summary, shown exactly to those with Harbor's quota:read. A summary
 * without it is reported as the refusal the matrix expects of that caller.
 */
export const quotaOperations: OperationGroup = {
  name: 'quota',
  async setup(ctx) {
    api = ctx.api;
  },
  operations: [
    {
      name: 'GET /projects/{id}/summary with its quota',
      permission: 'quota:read',
      okStatus: 200,
      async attempt(as, p) {
        const r = await api!('GET', `/projects/${p.id}/summary`, { as });
        if (r.status !== 200 || r.json?.quota !== undefined) return r;
        return { ...r, status: as === null ? 401 : 403 };
      },
    },
  ],
};
