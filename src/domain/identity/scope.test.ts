import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatScope, parseScope, parseScopes } from './scope.js';

test('repository scopes', () => {
  assert.deepEqual(parseScope('repository:library/nginx:pull,push'), { type: 'repository', name: 'library/nginx', actions: ['pull', 'push'] });
  assert.deepEqual(parseScope('repository:localhost:5000/a/b:pull'), { type: 'repository', name: 'localhost:5000/a/b', actions: ['pull'] });
  assert.deepEqual(parseScope('registry:catalog:*'), { type: 'registry', name: 'catalog', actions: ['*'] });
  assert.deepEqual(parseScope('repository:a:pull,pull'), { type: 'repository', name: 'a', actions: ['pull'] });
});

test('malformed scopes are dropped, not errors', () => {
  for (const bad of ['', 'repository', 'repository:a', ':a:pull', 'repository::pull', 'repository:a:', 'Repo Sitory:a:pull']) {
    assert.equal(parseScope(bad), null, bad);
  }
  assert.equal(parseScopes(['repository:a:pull repository:b:push', 'junk']).length, 2);
});

test('format round-trips', () => {
  assert.equal(formatScope(parseScope('repository:a/b:pull,push')!), 'repository:a/b:pull,push');
});
