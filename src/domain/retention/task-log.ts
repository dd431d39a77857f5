import type { RepositoryPlan, RetentionDecision } from './evaluate.js';

/**
 * The text of one retention task's log (GET .../tasks/{tid}): Harbor's job.go writes a header and
 * a table of every candidate with a mark (RETAIN, DEL, IMMUTABLE, ERR); Haven adds the reason
 * column, so the log says why each artifact stayed or went, and lists index children and
 * accessories too.
 */

/** Harbor's marks; ERR is for a delete that failed, which only the job knows. */
export type RetentionMark = 'RETAIN' | 'DEL' | 'IMMUTABLE' | 'ERR';

export function markOf(d: RetentionDecision): RetentionMark {
  if (d.action === 'delete') return 'DEL';
  return d.cause === 'immutable' ? 'IMMUTABLE' : 'RETAIN';
}

/** Harbor's "2006/01/02 15:04:05", in UTC; empty for never. */
function time(ms: number | null): string {
  if (ms === null || ms <= 0) return '';
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ').replaceAll('-', '/');
}

/** Harbor's opening lines of a task log. */
export function taskLogHeader(plan: RepositoryPlan, dryRun: boolean): string {
  return [
    'Run retention process.',
    ` Repository: ${plan.repository} `,
    ' Rule Algorithm: or ',
    ` Dry Run: ${dryRun}`,
    `Load ${plan.total} candidates from repository ${plan.repository}`,
  ].join('\n');
}

/**
 * The table, one row per artifact in the plan's order. `failed` maps a digest whose delete failed
 * to the error, shown as ERR and listed after the table as Harbor does.
 */
export function taskLogTable(plan: RepositoryPlan, failed: ReadonlyMap<string, string> = new Map()): string {
  const header = ['Digest', 'Tag', 'Kind', 'Labels', 'PushedTime', 'PulledTime', 'Retention', 'Reason'];
  const rows = plan.decisions.map((d) => [
    d.digest,
    d.tags.join(','),
    d.type ?? 'image',
    d.labels.join(','),
    time(d.pushedAt),
    time(d.pulledAt),
    failed.has(d.digest) ? 'ERR' : markOf(d),
    d.reason,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('+')}|`;
  const out = [line(header), rule, ...rows.map(line)];
  for (const [digest, error] of failed) out.push(`Retention error for artifact image:${plan.repository}:${digest} : ${error}`);
  return out.join('\n');
}
