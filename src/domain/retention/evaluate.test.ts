import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateRepository, type RepositoryPlan, type RetentionArtifact, repositoriesInScope, rulesForRepository } from './evaluate.js';
import { parseRetentionPolicy } from './policy.js';

const now = Date.UTC(2026, 0, 31, 12, 0, 0);
const day = 86_400_000;
const ago = (days: number) => now - days * day;

type Sel = { kind?: string; decoration: string; pattern: string; extras?: string };
const rule = (template: string, n: number | null, tag: Sel = { decoration: 'matches', pattern: '**' }, repo: Sel | null = { decoration: 'repoMatches', pattern: '**' }, over = {}) => ({
  action: 'retain',
  template,
  params: n === null ? {} : { [template]: n },
  tag_selectors: [{ kind: 'doublestar', ...tag }],
  scope_selectors: repo ? { repository: [{ kind: 'doublestar', ...repo }] } : {},
  ...over,
});
const policy = (...rules: unknown[]) =>
  parseRetentionPolicy({ algorithm: 'or', rules, trigger: { kind: 'Schedule', settings: { cron: '' } }, scope: { level: 'project', ref: 1 } });

/** An artifact pushed `pushed` days ago with the given tags (pushed with it, never pulled). */
const art = (digest: string, pushed: number, tags: string[] = [], over: Partial<RetentionArtifact> = {}): RetentionArtifact => ({
  digest,
  pushedAt: ago(pushed),
  pulledAt: null,
  tags: tags.map((name) => ({ name, pushedAt: ago(pushed), pulledAt: null, immutable: false })),
  labels: [],
  ...over,
});

const actions = (p: RepositoryPlan | null) => Object.fromEntries((p?.decisions ?? []).map((d) => [d.digest, d.action === 'retain' ? d.cause : `delete:${d.cause}`]));

test('an artifact is retained when any rule retains it; everything else is deleted, with the reason', () => {
  const arts = [art('sha256:a', 1, ['v3']), art('sha256:b', 2, ['v2']), art('sha256:c', 3, ['v1']), art('sha256:d', 4, ['latest']), art('sha256:e', 50, ['old'])];
  const p = evaluateRepository(policy(rule('latestPushedK', 2, { decoration: 'matches', pattern: 'v*' }), rule('nDaysSinceLastPush', 5, { decoration: 'matches', pattern: 'latest' })), 'library/app', arts, now);
  assert.ok(p);
  assert.deepEqual(actions(p), { 'sha256:a': 'rule', 'sha256:b': 'rule', 'sha256:c': 'delete:none', 'sha256:d': 'rule', 'sha256:e': 'delete:none' });
  assert.deepEqual(
    p.decisions.map((d) => [d.digest, d.reason]),
    [
      ['sha256:a', 'retained by rule 1 (the most recently pushed 2 artifacts)'],
      ['sha256:b', 'retained by rule 1 (the most recently pushed 2 artifacts)'],
      ['sha256:c', 'no rule retains it'],
      ['sha256:d', 'retained by rule 2 (pushed within the last 5 days)'],
      ['sha256:e', 'no rule retains it'],
    ],
  );
  assert.deepEqual(p.toDelete, ['sha256:c', 'sha256:e']);
  assert.deepEqual([p.total, p.retained, p.deleted], [5, 3, 2]);
  assert.deepEqual(p.rules, [0, 1]);
});

test('several rules retaining one artifact are all named; order is newest push first, ties by digest', () => {
  const arts = [art('sha256:b', 1, ['x']), art('sha256:a', 1, ['y']), art('sha256:c', 9, ['z'])];
  const p = evaluateRepository(policy(rule('always', null), rule('latestPushedK', 1)), 'p/r', arts, now);
  assert.deepEqual(p?.decisions.map((d) => d.digest), ['sha256:a', 'sha256:b', 'sha256:c']);
  assert.deepEqual(p?.decisions[0]?.rules, [0, 1]);
  assert.equal(p?.decisions[0]?.reason, 'retained by rules 1 (always), 2 (the most recently pushed 1 artifacts)');
  assert.deepEqual(p?.decisions[1]?.rules, [0]);
});

test('times are the latest of the artifact\'s and its tags\' (Harbor\'s candidate)', () => {
  const retagged = art('sha256:old', 40, [], {
    tags: [
      { name: 'v1', pushedAt: ago(40), pulledAt: null, immutable: false },
      { name: 'stable', pushedAt: ago(1), pulledAt: ago(2), immutable: false },
    ],
  });
  const arts = [retagged, art('sha256:new', 10, ['v2'])];
  assert.deepEqual(actions(evaluateRepository(policy(rule('latestPushedK', 1)), 'p/r', arts, now)), { 'sha256:old': 'rule', 'sha256:new': 'delete:none' });
  assert.deepEqual(actions(evaluateRepository(policy(rule('nDaysSinceLastPull', 3)), 'p/r', arts, now)), { 'sha256:old': 'rule', 'sha256:new': 'delete:none' });
});

test('tag selectors narrow what a rule sees; untagged artifacts as the untagged extra says', () => {
  const arts = [art('sha256:t1', 1, ['v1']), art('sha256:t2', 2, ['dev']), art('sha256:u', 3)];
  const cases: Array<[Sel, Record<string, string>]> = [
    [{ decoration: 'matches', pattern: 'v*' }, { 'sha256:t1': 'rule', 'sha256:t2': 'delete:none', 'sha256:u': 'rule' }],
    [{ decoration: 'matches', pattern: 'v*', extras: '{"untagged":false}' }, { 'sha256:t1': 'rule', 'sha256:t2': 'delete:none', 'sha256:u': 'delete:none' }],
    [{ decoration: 'excludes', pattern: 'v*', extras: '{"untagged":true}' }, { 'sha256:t1': 'delete:none', 'sha256:t2': 'rule', 'sha256:u': 'delete:none' }],
    [{ decoration: 'excludes', pattern: 'v*', extras: '{"untagged":false}' }, { 'sha256:t1': 'delete:none', 'sha256:t2': 'rule', 'sha256:u': 'rule' }],
  ];
  for (const [sel, want] of cases) assert.deepEqual(actions(evaluateRepository(policy(rule('always', null, sel)), 'p/r', arts, now)), want, JSON.stringify(sel));
  // latestPushedK counts only what the selector took: the untagged one is not among "v*"'s 1.
  assert.deepEqual(actions(evaluateRepository(policy(rule('latestPushedK', 1, { decoration: 'matches', pattern: '**', extras: '{"untagged":false}' })), 'p/r', arts, now)), {
    'sha256:t1': 'rule',
    'sha256:t2': 'delete:none',
    'sha256:u': 'delete:none',
  });
});

test('label selector in a rule', () => {
  const arts = [art('sha256:a', 1, ['v1'], { labels: ['prod'] }), art('sha256:b', 2, ['v2'])];
  const p = evaluateRepository(policy({ ...rule('always', null), tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: '**' }, { kind: 'label', decoration: 'withLabels', pattern: 'prod' }] }), 'p/r', arts, now);
  assert.deepEqual(actions(p), { 'sha256:a': 'rule', 'sha256:b': 'delete:none' });
});

test('repository selectors: rules apply per repository; no applicable rule means no task (null)', () => {
  const pol = policy(rule('always', null, undefined, { decoration: 'repoMatches', pattern: 'team/**' }), rule('latestPushedK', 1, undefined, { decoration: 'repoExcludes', pattern: 'team/**' }));
  assert.deepEqual(rulesForRepository(pol, 'library/team/api'), [0]);
  assert.deepEqual(rulesForRepository(pol, 'library/web'), [1]);
  const arts = [art('sha256:a', 1, ['x']), art('sha256:b', 2, ['y'])];
  assert.deepEqual(actions(evaluateRepository(pol, 'library/team/api', arts, now)), { 'sha256:a': 'rule', 'sha256:b': 'rule' });
  assert.deepEqual(actions(evaluateRepository(pol, 'library/web', arts, now)), { 'sha256:a': 'rule', 'sha256:b': 'delete:none' });
  const only = policy(rule('always', null, undefined, { decoration: 'repoMatches', pattern: 'team/**' }));
  assert.equal(evaluateRepository(only, 'library/web', arts, now), null);
  assert.deepEqual(repositoriesInScope(only, ['library/web', 'library/team/x', 'library/team']), ['library/team/x']);
  // No repository selector: every repository.
  assert.deepEqual(repositoriesInScope(policy(rule('always', null, undefined, null)), ['a/b', 'a/c']), ['a/b', 'a/c']);
});

test('disabled rules retain nothing and do not make a task', () => {
  const arts = [art('sha256:a', 1, ['x'])];
  assert.equal(evaluateRepository(policy(rule('always', null, undefined, undefined, { disabled: true })), 'p/r', arts, now), null);
  assert.deepEqual(actions(evaluateRepository(policy(rule('always', null, undefined, undefined, { disabled: true }), rule('latestPushedK', 0)), 'p/r', arts, now)), {
    'sha256:a': 'delete:none',
  });
});

test('an artifact with an immutable tag is never deleted, and the reason says why', () => {
  const locked = art('sha256:l', 9, [], { tags: [{ name: 'v1.0', pushedAt: ago(9), pulledAt: null, immutable: true }, { name: 'tmp', pushedAt: ago(9), pulledAt: null, immutable: false }] });
  const p = evaluateRepository(policy(rule('latestPushedK', 1)), 'p/r', [art('sha256:n', 1, ['v2']), locked, art('sha256:o', 5, ['v0'])], now);
  assert.deepEqual(actions(p), { 'sha256:n': 'rule', 'sha256:l': 'immutable', 'sha256:o': 'delete:none' });
  assert.equal(p?.decisions.find((d) => d.digest === 'sha256:l')?.reason, 'no rule retains it, but its tag v1.0 is immutable: immutable tags are never deleted');
  assert.deepEqual(p?.toDelete, ['sha256:o']);
});

test('untagged children of an index follow it; a child two indexes list stays while one is kept', () => {
  const arts = [
    art('sha256:idx1', 1, ['new']),
    art('sha256:idx2', 9, ['old']),
    art('sha256:c1', 1, [], { parents: ['sha256:idx1'] }),
    art('sha256:c2', 9, [], { parents: ['sha256:idx2'] }),
    art('sha256:shared', 9, [], { parents: ['sha256:idx1', 'sha256:idx2'] }),
    art('sha256:loose', 9),
  ];
  const p = evaluateRepository(policy(rule('latestPushedK', 1, { decoration: 'matches', pattern: '**', extras: '{"untagged":false}' })), 'p/r', arts, now);
  assert.deepEqual(actions(p), {
    'sha256:idx1': 'rule',
    'sha256:c1': 'parent',
    'sha256:idx2': 'delete:none',
    'sha256:c2': 'delete:parent',
    'sha256:shared': 'parent',
    'sha256:loose': 'delete:none',
  });
  const c2 = p?.decisions.find((d) => d.digest === 'sha256:c2');
  assert.equal(c2?.reason, 'deleted with its index sha256:idx2');
  assert.equal(c2?.follows, 'sha256:idx2');
  assert.equal(p?.decisions.find((d) => d.digest === 'sha256:shared')?.reason, 'kept with its index sha256:idx1');
  // The job deletes only the roots: the index's delete takes its orphaned children.
  assert.deepEqual(p?.toDelete, ['sha256:idx2', 'sha256:loose']);
  // Children are no candidates: they take no place among latestPushedK's 1.
  assert.equal(p?.decisions.filter((d) => d.cause === 'rule').length, 1);
});

test('a tagged child of an index is a candidate; it stays while its index is kept, and is deleted after it', () => {
  const arts = [art('sha256:idx', 5, ['multi']), art('sha256:amd64', 5, ['amd64'], { parents: ['sha256:idx'] }), art('sha256:fresh', 1, ['x'])];
  const keep = evaluateRepository(policy(rule('latestPushedK', 2, { decoration: 'matches', pattern: '{multi,x}' })), 'p/r', arts, now);
  assert.deepEqual(actions(keep), { 'sha256:fresh': 'rule', 'sha256:idx': 'rule', 'sha256:amd64': 'parent' });
  assert.equal(keep?.decisions.find((d) => d.digest === 'sha256:amd64')?.reason, 'no rule retains it, but it is listed by the kept index sha256:idx');
  const drop = evaluateRepository(policy(rule('latestPushedK', 1)), 'p/r', [arts[1] as RetentionArtifact, arts[0] as RetentionArtifact, arts[2] as RetentionArtifact], now);
  assert.deepEqual(actions(drop), { 'sha256:fresh': 'rule', 'sha256:idx': 'delete:none', 'sha256:amd64': 'delete:none' });
  assert.deepEqual(drop?.toDelete, ['sha256:idx', 'sha256:amd64']);
});

test('accessories follow their subject and are never candidates themselves', () => {
  const arts = [
    art('sha256:img1', 1, ['v2']),
    art('sha256:img2', 9, ['v1']),
    art('sha256:sig1', 1, [], { subject: 'sha256:img1' }),
    art('sha256:sig2', 9, [], { subject: 'sha256:img2' }),
    art('sha256:sbom2', 9, [], { subject: 'sha256:sig2' }),
    art('sha256:orphan', 9, [], { subject: 'sha256:gone' }),
  ];
  const p = evaluateRepository(policy(rule('latestPushedK', 1)), 'p/r', arts, now);
  assert.deepEqual(actions(p), {
    'sha256:img1': 'rule',
    'sha256:sig1': 'subject',
    'sha256:img2': 'delete:none',
    'sha256:sig2': 'delete:subject',
    'sha256:sbom2': 'delete:subject',
    'sha256:orphan': 'subject',
  });
  assert.equal(p?.decisions.find((d) => d.digest === 'sha256:sig2')?.reason, 'deleted with its subject sha256:img2');
  assert.equal(p?.decisions.find((d) => d.digest === 'sha256:orphan')?.reason, 'its subject sha256:gone is not among the artifacts given: kept');
  assert.deepEqual(p?.toDelete, ['sha256:img2']);
});

test('an accessory with an immutable tag keeps its subject (the delete would take it along)', () => {
  const arts = [
    art('sha256:img', 9, ['v1']),
    art('sha256:sig', 9, [], { subject: 'sha256:img', tags: [{ name: 'sha256-img.sig', pushedAt: ago(9), pulledAt: null, immutable: true }] }),
    art('sha256:new', 1, ['v2']),
  ];
  const p = evaluateRepository(policy(rule('latestPushedK', 1)), 'p/r', arts, now);
  assert.deepEqual(actions(p), { 'sha256:new': 'rule', 'sha256:img': 'immutable', 'sha256:sig': 'subject' });
  assert.match(p?.decisions.find((d) => d.digest === 'sha256:img')?.reason ?? '', /sha256:sig that would go with it has the immutable tag sha256-img.sig/);
  assert.deepEqual(p?.toDelete, []);
});

test('an index not given keeps what it lists; the same digest twice is a caller bug', () => {
  const p = evaluateRepository(policy(rule('latestPushedK', 0)), 'p/r', [art('sha256:c', 1, [], { parents: ['sha256:elsewhere'] })], now);
  assert.deepEqual(actions(p), { 'sha256:c': 'parent' });
  assert.equal(p?.decisions[0]?.reason, 'its index sha256:elsewhere is not among the artifacts given: kept');
  const tagged = evaluateRepository(policy(rule('latestPushedK', 0)), 'p/r', [art('sha256:t', 1, ['x'], { parents: ['sha256:elsewhere'] })], now);
  assert.equal(tagged?.decisions[0]?.reason, 'no rule retains it, but it is listed by the index sha256:elsewhere, which is not among the artifacts given');
  assert.deepEqual(tagged?.toDelete, []);
  assert.throws(() => evaluateRepository(policy(rule('always', null)), 'p/r', [art('sha256:a', 1), art('sha256:a', 2)], now), /given twice/);
});

test('an empty repository gives an empty plan; the result is the same whatever the input order', () => {
  const empty = evaluateRepository(policy(rule('always', null)), 'p/r', [], now);
  assert.deepEqual(empty, { repository: 'p/r', rules: [0], decisions: [], toDelete: [], total: 0, retained: 0, deleted: 0 });
  const arts = [art('sha256:a', 3, ['a']), art('sha256:b', 3, ['b']), art('sha256:c', 3, ['c']), art('sha256:d', 3, ['d'])];
  const pol = policy(rule('latestPushedK', 2));
  const forward = evaluateRepository(pol, 'p/r', arts, now);
  const backward = evaluateRepository(pol, 'p/r', [...arts].reverse(), now);
  assert.deepEqual(forward, backward);
  assert.deepEqual(forward?.toDelete, ['sha256:c', 'sha256:d']);
});
