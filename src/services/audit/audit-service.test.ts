import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAppError } from '../../platform/errors.js';
import { auditQueryOf, parseOpTime } from './audit-service.js';

const badRequest = (fn: () => unknown) => assert.throws(fn, (e) => isAppError(e) && e.status === 400);

test('op_time bounds: Harbor layout read as UTC, a bound to the second covers that second', () => {
  assert.equal(parseOpTime('2024-01-01 00:00:00', 'min'), Date.UTC(2024, 0, 1));
  assert.equal(parseOpTime('2024-12-31 23:59:59', 'max'), Date.UTC(2024, 11, 31, 23, 59, 59, 999));
  assert.equal(parseOpTime('2024-12-31', 'max'), Date.UTC(2025, 0, 1) - 1);
  assert.equal(parseOpTime('2024-06-01T10:00:00.250Z', 'max'), Date.UTC(2024, 5, 1, 10, 0, 0, 250));
  assert.equal(parseOpTime('2024-06-01T12:00:00+02:00', 'min'), Date.UTC(2024, 5, 1, 10));
  for (const bad of ['yesterday', '1700000000', '2024-13-01 00:00:00', "2024-01-01' OR '1'='1", '']) badRequest(() => parseOpTime(bad, 'min'));
});

test('q becomes typed filters on an allow-list', () => {
  assert.deepEqual(auditQueryOf('operation={create delete},username=bob,resource=~nginx,resource_type=project,op_time=[2024-01-01 00:00:00~2024-01-31 23:59:59]'), {
    operation: { any: ['create', 'delete'] },
    username: { eq: 'bob' },
    resource: { like: 'nginx' },
    resourceType: { eq: 'project' },
    from: Date.UTC(2024, 0, 1),
    to: Date.UTC(2024, 0, 31, 23, 59, 59, 999),
  });
  assert.deepEqual(auditQueryOf("username=x' OR '1'='1"), { username: { eq: "x' OR '1'='1" } });
  assert.deepEqual(auditQueryOf(undefined), {});
  badRequest(() => auditQueryOf('project_id=1'));
  badRequest(() => auditQueryOf('resource=[a~b]'));
  badRequest(() => auditQueryOf('op_time=~2024'));
});
