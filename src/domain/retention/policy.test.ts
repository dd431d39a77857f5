import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../../platform/errors.js';
import { cronShape, parseRetentionPolicy, retentionPolicySchema, ruleConflict } from './policy.js';

/** What Harbor's portal sends for one "retain the 3 most recently pushed" rule. */
const rule = (over: Record<string, unknown> = {}) => ({
  id: 1,
  priority: 1,
  disabled: false,
  action: 'retain',
  template: 'latestPushedK',
  params: { latestPushedK: 3 },
  tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: '**', extras: '{"untagged":true}' }],
  scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: '**' }] },
  ...over,
});
const body = (over: Record<string, unknown> = {}) => ({
  algorithm: 'or',
  rules: [rule()],
  trigger: { kind: 'Schedule', settings: { cron: '0 0 0 * * *' }, references: {} },
  scope: { level: 'project', ref: 7 },
  ...over,
});

test('a policy as the portal sends it parses to its stored form', () => {
  const p = parseRetentionPolicy(body());
  assert.deepEqual(p, {
    algorithm: 'or',
    rules: [
      {
        id: 1,
        priority: 1,
        disabled: false,
        action: 'retain',
        template: 'latestPushedK',
        params: { latestPushedK: 3 },
        tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: '**', extras: '{"untagged":true}' }],
        scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: '**' }] },
      },
    ],
    trigger: { kind: 'Schedule', settings: { cron: '0 0 0 * * *' }, references: {} },
    scope: { level: 'project', ref: 7 },
  });
});

test('defaults: id, priority, disabled, params, scope selectors and rules may be left out; an empty cron means no schedule', () => {
  const p = parseRetentionPolicy({
    algorithm: 'or',
    trigger: { kind: 'Schedule', settings: { cron: '' } },
    scope: { level: 'project', ref: 1 },
  });
  assert.deepEqual(p.rules, []);
  const q = parseRetentionPolicy(
    body({ rules: [{ action: 'retain', template: 'always', tag_selectors: [{ kind: 'doublestar', decoration: 'excludes', pattern: 'tmp-*' }] }] }),
  );
  assert.deepEqual(q.rules[0], {
    id: 0,
    priority: 0,
    disabled: false,
    action: 'retain',
    template: 'always',
    params: {},
    tag_selectors: [{ kind: 'doublestar', decoration: 'excludes', pattern: 'tmp-*' }],
    scope_selectors: {},
  });
  assert.equal(parseRetentionPolicy(body({ trigger: { kind: 'Schedule', settings: {} } })).trigger.settings.cron, undefined);
});

test('every template Harbor offers, and the two it still runs, are accepted with a valid parameter', () => {
  const ok: Array<[string, Record<string, unknown>]> = [
    ['latestPushedK', { latestPushedK: 0 }],
    ['latestPulledN', { latestPulledN: 32766 }],
    ['nDaysSinceLastPush', { nDaysSinceLastPush: 20190904 }],
    ['nDaysSinceLastPull', { nDaysSinceLastPull: 30 }],
    ['always', {}],
    ['latestActiveK', { latestActiveK: 5 }],
    ['lastXDays', { lastXDays: 5 }],
  ];
  for (const [template, params] of ok) assert.equal(parseRetentionPolicy(body({ rules: [rule({ template, params })] })).rules[0]?.template, template);
});

test('bad policies are refused with Harbor\'s messages (400)', () => {
  const cases: Array<[unknown, string]> = [
    [body({ rules: Array.from({ length: 16 }, (_, i) => rule({ params: { latestPushedK: i } })) }), 'only 15 rules are allowed at most'],
    [body({ scope: { level: 'system', ref: 0 } }), 'scope system is not support'],
    [body({ scope: { level: 'project', ref: 0 } }), 'invalid Project id 0'],
    [body({ scope: { level: 'project', ref: -3 } }), 'invalid Project id -3'],
    [body({ algorithm: 'and' }), 'algorithm: algorithm "and" is not supported; use "or"'],
    [body({ trigger: { kind: 'Event', settings: {} } }), 'trigger.kind: not support Trigger Event'],
    [body({ trigger: { kind: 'Schedule', settings: { cron: 5 } } }), 'invalid cron type for scheduled tag retention: must be a string'],
    [
      body({ trigger: { kind: 'Schedule', settings: { cron: '* * * * *' } } }),
      'invalid cron string for scheduled tag retention: * * * * *, error: expected exactly 6 fields, found 5: [* * * * *]',
    ],
    [
      body({ trigger: { kind: 'Schedule', settings: { cron: '5 * * * * *' } } }),
      'invalid cron string for scheduled tag retention: 5 * * * * *, error: the 1st field (indicating Seconds of time) of the cron setting must be 0',
    ],
    [body({ rules: [rule({ template: 'latestK' })] }), 'rule evaluator latestK is not registered'],
    [body({ rules: [rule({ template: '' })] }), 'empty rule template ID'],
    [body({ rules: [rule({ params: {} })] }), 'missing required parameter latestPushedK for rule latestPushedK'],
    [body({ rules: [rule({ params: null })] }), 'missing required parameter latestPushedK for rule latestPushedK'],
    [body({ rules: [rule({ params: { latestPushedK: -1 } })] }), 'latestPushedK is less than zero'],
    [body({ rules: [rule({ params: { latestPushedK: 32767 } })] }), 'latestPushedK is too large'],
    [body({ rules: [rule({ template: 'nDaysSinceLastPull', params: { nDaysSinceLastPull: 20190905 } })] }), 'nDaysSinceLastPull is too large'],
    [body({ rules: [rule({ params: { latestPushedK: '3' } })] }), 'latestPushedK type error'],
    [body({ rules: [rule({ params: { latestPushedK: 2.5 } })] }), 'latestPushedK type error'],
    [body({ rules: [rule({ action: 'delete' })] }), 'rules.0.action: action "delete" is not supported; use "retain"'],
    [body({ rules: [rule({ tag_selectors: [] })] }), 'rules.0.tag_selectors: Can not be empty'],
    [body({ rules: [rule({ tag_selectors: [{ kind: 'regex', decoration: 'matches', pattern: '.*' }] })] }), 'rules.0.tag_selectors.0.kind: selector "regex" is not registered'],
    [
      body({ rules: [rule({ tag_selectors: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: '**' }] })] }),
      'rules.0.tag_selectors.0.decoration: decoration "repoMatches" of selector doublestar is not supported; use "matches" or "excludes"',
    ],
    [body({ rules: [rule({ tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: '' }] })] }), 'rules.0.tag_selectors.0.pattern: Can not be empty'],
    [
      body({ rules: [rule({ tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: '[a' }] })] }),
      'rules.0.tag_selectors.0.pattern: invalid pattern "[a": unterminated character class',
    ],
    [
      body({ rules: [rule({ tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: '**', extras: 'untagged' }] })] }),
      'rules.0.tag_selectors.0.extras: extras "untagged" is not a JSON object such as {"untagged":true}',
    ],
    [
      body({ rules: [rule({ tag_selectors: [{ kind: 'label', decoration: 'with', pattern: 'prod' }] })] }),
      'rules.0.tag_selectors.0.decoration: decoration "with" of selector label is not supported; use "withLabels" or "withoutLabels"',
    ],
    [
      body({ rules: [rule({ scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'matches', pattern: '**' }] } })] }),
      'rules.0.scope_selectors.repository.0.decoration: decoration "matches" of selector doublestar is not supported; use "repoMatches" or "repoExcludes"',
    ],
    [
      body({ rules: [rule({ scope_selectors: { repository: [{ kind: 'label', decoration: 'withLabels', pattern: 'x' }] } })] }),
      'rules.0.scope_selectors.repository.0.kind: selector "label" is not registered',
    ],
    [
      body({ rules: [rule({ scope_selectors: { namespace: [{ kind: 'doublestar', decoration: 'nsMatches', pattern: '**' }] } })] }),
      'rules.0.scope_selectors: scope selector "namespace" is not supported at project level; use "repository"',
    ],
    [{ algorithm: 'or', rules: [] }, 'trigger: Can not be empty; scope: Can not be empty'],
    [body({ rules: [rule({ tag_selectors: [{ kind: 'doublestar', decoration: 'matches' }] })] }), 'rules.0.tag_selectors.0.pattern: Can not be empty'],
    ['not an object', 'Invalid input: expected object, received string'],
  ];
  for (const [input, message] of cases) {
    assert.throws(
      () => parseRetentionPolicy(input),
      (e: unknown) => e instanceof AppError && e.code === 'BAD_REQUEST' && e.message === message,
      `${message} <- ${JSON.stringify(input).slice(0, 200)}`,
    );
  }
});

test('two rules equal in all but their id are a conflict (409), in Harbor\'s words', () => {
  const twin = body({ rules: [rule({ id: 1 }), rule({ id: 2, params: { latestPushedK: 4 } }), rule({ id: 3 })] });
  assert.throws(
    () => parseRetentionPolicy(twin),
    (e: unknown) => e instanceof AppError && e.code === 'CONFLICT' && e.message === 'rule 2 is conflict with rule 0',
  );
  // Key order does not make two rules different; priority does.
  const reordered = { ...rule(), params: { latestPushedK: 3 } };
  const p = retentionPolicySchema().parse(body({ rules: [rule(), Object.fromEntries(Object.entries(reordered).reverse())] }));
  assert.equal(ruleConflict(p), 'rule 1 is conflict with rule 0');
  assert.equal(ruleConflict(retentionPolicySchema().parse(body({ rules: [rule(), rule({ priority: 2 })] }))), undefined);
});

test('the job service\'s cron parser can be passed in; its reason is wrapped in Harbor\'s message', () => {
  const strict = retentionPolicySchema({ checkCron: (c) => (c.includes('61') ? 'minute out of range' : undefined) });
  assert.equal(strict.safeParse(body({ trigger: { kind: 'Schedule', settings: { cron: '0 61 * * * *' } } })).error?.issues[0]?.message,
    'invalid cron string for scheduled tag retention: 0 61 * * * *, error: minute out of range');
  assert.equal(strict.safeParse(body()).success, true);
  assert.equal(cronShape('0 0 0 * * *'), undefined);
  assert.equal(cronShape('  0 0 0 * * *  '), undefined);
});
