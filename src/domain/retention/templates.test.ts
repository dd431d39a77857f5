import assert from 'node:assert/strict';
import { test } from 'node:test';
import { retentionMetadata } from './metadata.js';
import { describeTemplate, offeredTemplates, paramRule, selectByTemplate, type TemplateCandidate } from './templates.js';

const now = Date.UTC(2026, 0, 31, 12, 0, 0);
const nowS = now / 1000;
const day = 86400;
const c = (digest: string, pushedDaysAgo: number, pulledDaysAgo: number | null = null): TemplateCandidate => ({
  digest,
  pushed: nowS - pushedDaysAgo * day,
  pulled: pulledDaysAgo === null ? null : nowS - pulledDaysAgo * day,
});
const run = (template: string, n: number | undefined, cands: TemplateCandidate[]) =>
  selectByTemplate(template, n === undefined ? {} : { [template]: n }, cands, now).map((x) => x.digest);

// a: pushed 1 day ago, pulled 10 days ago; b: pushed 5, pulled 2; c: pushed 20, never pulled;
// d: pushed 5 (same as b), pulled 40; e: pushed 31, pulled 30 exactly.
const set = [c('a', 1, 10), c('b', 5, 2), c('c', 20), c('d', 5, 40), c('e', 31, 30)];

test('latestPushedK: the k most recently pushed, ties by digest', () => {
  const cases: Array<[number, string[]]> = [
    [0, []],
    [1, ['a']],
    [3, ['a', 'b', 'd']],
    [10, ['a', 'b', 'd', 'c', 'e']],
  ];
  for (const [k, want] of cases) assert.deepEqual(run('latestPushedK', k, set), want, `k=${k}`);
});

test('latestPulledN: the n most recently pulled; never-pulled ones fill free places last', () => {
  const cases: Array<[number, string[]]> = [
    [0, []],
    [1, ['b']],
    [2, ['b', 'a']],
    [4, ['b', 'a', 'e', 'd']],
    [5, ['b', 'a', 'e', 'd', 'c']],
  ];
  for (const [n, want] of cases) assert.deepEqual(run('latestPulledN', n, set), want, `n=${n}`);
  // Among never-pulled ones, the newer push goes first.
  assert.deepEqual(run('latestPulledN', 1, [c('x', 9), c('y', 3)]), ['y']);
});

test('nDaysSinceLastPush: pushed at or after now - n days', () => {
  const cases: Array<[number, string[]]> = [
    [0, []],
    [1, ['a']],
    [5, ['a', 'b', 'd']],
    [31, ['a', 'b', 'c', 'd', 'e']],
    [30, ['a', 'b', 'c', 'd']],
  ];
  for (const [n, want] of cases) assert.deepEqual(run('nDaysSinceLastPush', n, set), want, `n=${n}`);
});

test('nDaysSinceLastPull: pulled at or after now - n days; never pulled is never retained', () => {
  const cases: Array<[number, string[]]> = [
    [0, []],
    [2, ['b']],
    [10, ['a', 'b']],
    [30, ['a', 'b', 'e']],
    [1000, ['a', 'b', 'd', 'e']],
  ];
  for (const [n, want] of cases) assert.deepEqual(run('nDaysSinceLastPull', n, set), want, `n=${n}`);
});

test('always retains everything; latestActiveK and lastXDays as Harbor runs them', () => {
  assert.deepEqual(run('always', undefined, set), ['a', 'b', 'c', 'd', 'e']);
  assert.deepEqual(run('latestActiveK', 2, set), ['a', 'b']);
  assert.deepEqual(run('latestActiveK', 3, set), ['a', 'b', 'd']);
  // lastXDays keeps what was pushed strictly after the cutoff.
  assert.deepEqual(run('lastXDays', 5, set), ['a']);
  assert.deepEqual(run('lastXDays', 6, set), ['a', 'b', 'd']);
  assert.throws(() => run('nothing', 1, set), /rule evaluator nothing is not registered/);
});

test('paramRule: Harbor\'s validators', () => {
  const cases: Array<[string, Record<string, unknown>, string | undefined]> = [
    ['always', {}, undefined],
    ['always', { always: 'x' }, undefined],
    ['latestPushedK', { latestPushedK: 32766 }, undefined],
    ['latestPushedK', { latestPushedK: 32767 }, 'latestPushedK is too large'],
    ['latestPulledN', { latestPushedK: 3 }, 'missing required parameter latestPulledN for rule latestPulledN'],
    ['nDaysSinceLastPush', { nDaysSinceLastPush: -1 }, 'nDaysSinceLastPush is less than zero'],
    ['nDaysSinceLastPush', { nDaysSinceLastPush: null }, 'nDaysSinceLastPush type error'],
    ['x', {}, 'rule evaluator x is not registered'],
  ];
  for (const [t, p, want] of cases) assert.equal(paramRule(t, p), want, `${t} ${JSON.stringify(p)}`);
});

test('templates in words, and the metadatas payload lists exactly the offered templates', () => {
  assert.equal(describeTemplate('latestPushedK', { latestPushedK: 3 }), 'the most recently pushed 3 artifacts');
  assert.equal(describeTemplate('nDaysSinceLastPull', { nDaysSinceLastPull: 7 }), 'pulled within the last 7 days');
  assert.equal(describeTemplate('always', {}), 'always');
  assert.deepEqual(
    retentionMetadata.templates.map((t) => t.rule_template),
    [...offeredTemplates],
  );
  for (const t of retentionMetadata.templates) {
    assert.equal(t.display_text, describeTemplate(t.rule_template, { [t.rule_template]: '#' }));
    assert.equal(t.params.length, t.rule_template === 'always' ? 0 : 1);
  }
  assert.deepEqual(JSON.parse(JSON.stringify(retentionMetadata)).tag_selectors, [{ display_text: 'Tags', kind: 'doublestar', decorations: ['matches', 'excludes'] }]);
  assert.deepEqual(JSON.parse(JSON.stringify(retentionMetadata)).scope_selectors, [
    { display_text: 'Repositories', kind: 'doublestar', decorations: ['repoMatches', 'repoExcludes'] },
  ]);
});
