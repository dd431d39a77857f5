import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateRepository, type RetentionArtifact } from './evaluate.js';
import { parseRetentionPolicy } from './policy.js';
import { markOf, taskLogHeader, taskLogTable } from './task-log.js';

const now = Date.UTC(2026, 0, 31, 12, 0, 0);
const tag = (name: string, pushedAt: number, immutable = false) => ({ name, pushedAt, pulledAt: null, immutable });
const arts: RetentionArtifact[] = [
  { digest: 'sha256:new', pushedAt: Date.UTC(2026, 0, 30, 8, 5, 9), pulledAt: Date.UTC(2026, 0, 31, 1, 2, 3), tags: [tag('v2', Date.UTC(2026, 0, 30, 8, 5, 9))], labels: ['prod', 'gold'], type: 'IMAGE' },
  { digest: 'sha256:old', pushedAt: Date.UTC(2025, 11, 1), pulledAt: null, tags: [tag('v1', Date.UTC(2025, 11, 1))], labels: [] },
  { digest: 'sha256:pin', pushedAt: Date.UTC(2025, 10, 1), pulledAt: null, tags: [tag('v0', Date.UTC(2025, 10, 1), true)], labels: [] },
];
const policy = parseRetentionPolicy({
  algorithm: 'or',
  rules: [{ action: 'retain', template: 'latestPushedK', params: { latestPushedK: 1 }, tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: '**' }] }],
  trigger: { kind: 'Schedule', settings: { cron: '' } },
  scope: { level: 'project', ref: 1 },
});

test('the task log: Harbor\'s header, then one row per artifact with its mark and reason', () => {
  const plan = evaluateRepository(policy, 'library/app', arts, now);
  assert.ok(plan);
  assert.deepEqual(plan.decisions.map(markOf), ['RETAIN', 'DEL', 'IMMUTABLE']);
  assert.equal(taskLogHeader(plan, true), 'Run retention process.\n Repository: library/app \n Rule Algorithm: or \n Dry Run: true\nLoad 3 candidates from repository library/app');
  const lines = taskLogTable(plan, new Map([['sha256:old', 'the tag v1 configured as immutable, cannot be deleted']])).split('\n');
  assert.equal(lines.length, 6);
  assert.match(lines[0] ?? '', /^\| Digest +\| Tag +\| Kind +\| Labels +\| PushedTime +\| PulledTime +\| Retention \| Reason +\|$/);
  assert.match(lines[2] ?? '', /^\| sha256:new \| v2 +\| IMAGE \| prod,gold \| 2026\/01\/30 08:05:09 \| 2026\/01\/31 01:02:03 \| RETAIN +\| retained by rule 1 \(the most recently pushed 1 artifacts\) +\|$/);
  assert.match(lines[3] ?? '', /^\| sha256:old \| v1 +\| image \| +\| 2025\/12\/01 00:00:00 \| +\| ERR +\| no rule retains it +\|$/);
  assert.match(lines[4] ?? '', /\| IMMUTABLE \| no rule retains it, but its tag v0 is immutable/);
  assert.equal(lines[5], 'Retention error for artifact image:library/app:sha256:old : the tag v1 configured as immutable, cannot be deleted');
  // Every row is as wide as the header.
  assert.equal(new Set(lines.slice(0, 5).map((l) => l.length)).size, 1);
});
