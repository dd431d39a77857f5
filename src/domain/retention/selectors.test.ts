import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RetentionSelector } from './policy.js';
import { compileRepositorySelectors, compileTagSelectors } from './selectors.js';

const ds = (decoration: string, pattern: string, extras?: string): RetentionSelector => ({ kind: 'doublestar', decoration, pattern, ...(extras === undefined ? {} : { extras }) });
const art = (tags: string[], labels: string[] = []) => ({ tags, labels });

test('doublestar tag selector: matches any tag / excludes when any tag does not match', () => {
  const cases: Array<[RetentionSelector, string[], boolean]> = [
    [ds('matches', 'v*'), ['v1'], true],
    [ds('matches', 'v*'), ['latest'], false],
    [ds('matches', 'v*'), ['latest', 'v2'], true],
    [ds('matches', '{v1,v2}'), ['v2'], true],
    [ds('matches', '**'), ['a/b'], true],
    [ds('matches', '*'), ['a/b'], false],
    [ds('excludes', 'v*'), ['latest'], true],
    [ds('excludes', 'v*'), ['v1'], false],
    // Harbor: excluded only when every tag matches the pattern.
    [ds('excludes', 'v*'), ['v1', 'latest'], true],
    [ds('matches', ''), ['anything'], true],
  ];
  for (const [s, tags, want] of cases) assert.equal(compileTagSelectors([s])(art(tags)), want, `${s.decoration} ${s.pattern} ${tags}`);
});

test('untagged artifacts: the `untagged` extra, and Harbor\'s default without it', () => {
  const cases: Array<[RetentionSelector, boolean]> = [
    [ds('matches', '**'), true],
    [ds('matches', '**', '{"untagged":true}'), true],
    [ds('matches', '**', '{"untagged":false}'), false],
    [ds('matches', '**', '{}'), false],
    [ds('matches', 'v*', '{"untagged":true}'), true],
    [ds('excludes', 'v*'), true],
    [ds('excludes', 'v*', '{"untagged":true}'), false],
    [ds('excludes', 'v*', '{"untagged":false}'), true],
    [ds('matches', '**', ''), true],
  ];
  for (const [s, want] of cases) assert.equal(compileTagSelectors([s])(art([])), want, `${s.decoration} ${s.extras}`);
});

test('label selector: withLabels needs every label, withoutLabels none; selectors are and-ed', () => {
  const lab = (decoration: string, pattern: string): RetentionSelector => ({ kind: 'label', decoration, pattern });
  const cases: Array<[RetentionSelector[], string[], string[], boolean]> = [
    [[lab('withLabels', 'prod')], ['v1'], ['prod'], true],
    [[lab('withLabels', 'prod,gold')], ['v1'], ['prod'], false],
    [[lab('withLabels', 'prod,gold')], ['v1'], ['gold', 'prod', 'x'], true],
    [[lab('withoutLabels', 'prod,gold')], ['v1'], ['x'], true],
    [[lab('withoutLabels', 'prod,gold')], ['v1'], ['gold'], false],
    [[lab('withLabels', '')], ['v1'], [], true],
    [[ds('matches', 'v*'), lab('withLabels', 'prod')], ['v1'], ['prod'], true],
    [[ds('matches', 'v*'), lab('withLabels', 'prod')], ['latest'], ['prod'], false],
    [[ds('matches', 'v*'), lab('withLabels', 'prod')], ['v1'], [], false],
    [[], ['v1'], [], true],
  ];
  for (const [sels, tags, labels, want] of cases) assert.equal(compileTagSelectors(sels)(art(tags, labels)), want, JSON.stringify([sels, tags, labels]));
});

test('repository selectors over the name without project: repoMatches / repoExcludes, none = all', () => {
  const cases: Array<[RetentionSelector[] | undefined, string, boolean]> = [
    [undefined, 'nginx', true],
    [[], 'team/api', true],
    [[ds('repoMatches', '**')], 'team/api', true],
    [[ds('repoMatches', 'team/*')], 'team/api', true],
    [[ds('repoMatches', 'team/*')], 'team/api/v2', false],
    [[ds('repoMatches', 'team/**')], 'team/api/v2', true],
    [[ds('repoExcludes', 'team/**')], 'team/api', false],
    [[ds('repoExcludes', 'team/**')], 'web', true],
    [[ds('repoMatches', '{web,api}')], 'api', true],
    [[ds('repoMatches', '**'), ds('repoExcludes', 'tmp*')], 'tmp1', false],
    [[ds('repoMatches', '**')], '', false],
  ];
  for (const [sels, repo, want] of cases) assert.equal(compileRepositorySelectors(sels)(repo), want, JSON.stringify([sels, repo]));
});
