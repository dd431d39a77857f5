// Retention policies as Harbor's API takes them, and the calls the retention tests share.
import assert from 'node:assert/strict';
import type { apiClient } from './api-client.js';
import { eventually } from './eventually.js';

/** An execution as GET /retentions/{id}/executions lists it. */
export interface RetentionExecution {
  id: number;
  policy_id: number;
  status: string;
  trigger: string;
  dry_run: boolean;
  start_time: string;
  end_time: string;
  progress: { done: number; total: number; percent: number | null };
}

export type Selector = { kind?: string; decoration: string; pattern: string; extras?: string };

/** A tag selector (doublestar), `matches` unless told otherwise; `extras` e.g. '{"untagged":true}'. */
export const tagSel = (pattern: string, decoration = 'matches', extras?: string): Selector => ({ kind: 'doublestar', decoration, pattern, ...(extras ? { extras } : {}) });
export const repoSel = (pattern: string, decoration = 'repoMatches'): Selector => ({ kind: 'doublestar', decoration, pattern });

/** A retain rule of `template` with its parameter `n` (none for `always`). */
export const rule = (template: string, n: number | null, tags: Selector = tagSel('**'), repo: Selector = repoSel('**')) => ({
  action: 'retain',
  template,
  params: n === null ? {} : { [template]: n },
  tag_selectors: [tags],
  scope_selectors: { repository: [repo] },
});

export const policyBody = (projectId: number, rules: unknown[], cron = '') => ({
  algorithm: 'or',
  rules,
  trigger: { kind: 'Schedule', settings: { cron } },
  scope: { level: 'project', ref: projectId },
});

/** Projects and policies made through the API as `client`'s administrator: their new ids. */
export function retentionSetup(client: () => ReturnType<typeof apiClient>) {
  const idOf = (r: { headers: Headers }) => Number(r.headers.get('location')!.split('/').pop());
  return {
    async project(name: string): Promise<number> {
      const r = await client().api('POST', '/projects', { body: { project_name: name } });
      assert.equal(r.status, 201, r.text);
      return idOf(r);
    },
    async createPolicy(projectId: number, rules: unknown[], cron = ''): Promise<number> {
      const r = await client().api('POST', '/retentions', { body: policyBody(projectId, rules, cron) });
      assert.equal(r.status, 201, r.text);
      assert.match(r.headers.get('location') ?? '', /^\/api\/v2\.0\/retentions\/\d+$/);
      return idOf(r);
    },
    /** Runs the policy now and waits for the run to end; its execution as listed. */
    async runToEnd(id: number, dryRun: boolean): Promise<RetentionExecution> {
      const r = await client().api('POST', `/retentions/${id}/executions`, { body: { dry_run: dryRun } });
      assert.equal(r.status, 201, r.text);
      const location = r.headers.get('location') ?? '';
      assert.match(location, new RegExp(`^/api/v2\\.0/retentions/${id}/executions/\\d+$`));
      const eid = Number(location.split('/').pop());
      return eventually(async () => {
        const list = await client().api('GET', `/retentions/${id}/executions?page_size=100`);
        assert.equal(list.status, 200, list.text);
        const e = (list.json as RetentionExecution[]).find((x) => x.id === eid);
        assert.ok(e && ['Success', 'Error', 'Stopped'].includes(e.status), `execution ${eid}: ${JSON.stringify(e)}`);
        return e;
      });
    },
  };
}
