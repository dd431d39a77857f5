import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isTag, projectOf, validateRepositoryName } from './names.js';

test('valid repository names', () => {
  for (const n of ['a', 'library/nginx', 'a/b/c/d', 'my-org/my_repo', 'x.y/z__w', 'a--b', '0/1']) {
    assert.equal(validateRepositoryName(n), n);
  }
});

test('invalid repository names are NAME_INVALID', () => {
  for (const n of ['', 'A', 'a/B', '..', 'a/../b', 'a//b', 'a/', '/a', '%2e%2e', 'a/-b', 'a_', '_a', 'a.', 'a___b', 'a'.repeat(256)]) {
    assert.throws(() => validateRepositoryName(n), (e: { code?: string }) => e.code === 'NAME_INVALID', n);
  }
});

test('tags', () => {
  assert.ok(isTag('v1.0'));
  assert.ok(isTag('_x'));
  assert.ok(isTag('a'.repeat(128)));
  assert.ok(!isTag('a'.repeat(129)));
  assert.ok(!isTag('.hidden'));
  assert.ok(!isTag('-x'));
  assert.ok(!isTag('a:b'));
});

test('project is the first path segment', () => {
  assert.equal(projectOf('library/nginx'), 'library');
  assert.equal(projectOf('p/a/b'), 'p');
  assert.equal(projectOf('solo'), 'solo');
});
