import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileRule, InvalidRuleError, ruleKey, validateRule, withoutProject } from './rules.js';

const input = (tag: string, repo: string, tagDecoration = 'matches', repoDecoration = 'repoMatches') => ({
  tag_selectors: [{ kind: 'doublestar', decoration: tagDecoration, pattern: tag }],
  scope_selectors: { repository: [{ kind: 'doublestar', decoration: repoDecoration, pattern: repo }] },
});

test('validateRule returns the stored form, with Harbor defaults for action and template', () => {
  assert.deepEqual(validateRule(input('v*', '**')), {
    action: 'immutable',
    template: 'immutable_template',
    tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: 'v*' }],
    scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: '**' }] },
  });
});

test('validateRule refuses what Harbor could never match', () => {
  const bad = [
    { ...input('v*', '**'), tag_selectors: [] },
    { ...input('v*', '**'), tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: 'a' }, { kind: 'doublestar', decoration: 'matches', pattern: 'b' }] },
    { ...input('v*', '**'), scope_selectors: { repository: [] } },
    { ...input('v*', '**'), scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: '**' }], namespace: [] } },
    input('v*', '**', 'repoMatches'),
    input('v*', '**', 'matches', 'nsMatches'),
    input('', '**'),
    input('[', '**'),
    { ...input('v*', '**'), action: 'retain' },
  ];
  for (const b of bad) assert.throws(() => validateRule(b), InvalidRuleError, JSON.stringify(b));
});

test('compileRule: repository selector first, then the tag selector, each matching or excluding', () => {
  const cases: Array<[ReturnType<typeof input>, string, string, boolean]> = [
    [input('v*', '**'), 'nginx', 'v1', true],
    [input('v*', '**'), 'nginx', 'latest', false],
    [input('v*', '**', 'excludes'), 'nginx', 'latest', true],
    [input('v*', '**', 'excludes'), 'nginx', 'v1', false],
    [input('**', 'team/*'), 'team/api', 'x', true],
    [input('**', 'team/*'), 'team/api/v2', 'x', false],
    [input('**', 'team/*', 'matches', 'repoExcludes'), 'team/api', 'x', false],
    [input('**', 'team/*', 'matches', 'repoExcludes'), 'web', 'x', true],
  ];
  for (const [rule, repo, tag, want] of cases) assert.equal(compileRule(validateRule(rule))(repo, tag), want, `${JSON.stringify(rule)} ${repo}:${tag}`);
});

test('two rules are the same when they select alike, whatever their priority', () => {
  assert.equal(ruleKey(validateRule(input('v*', '**'))), ruleKey(validateRule({ ...input('v*', '**'), action: 'immutable' })));
  assert.notEqual(ruleKey(validateRule(input('v*', '**'))), ruleKey(validateRule(input('v*', '**', 'excludes'))));
});

test('rules see the repository without its project', () => {
  assert.equal(withoutProject('library/team/nginx'), 'team/nginx');
  assert.equal(withoutProject('nginx'), 'nginx');
});
