import assert from 'node:assert/strict';
import { test } from 'node:test';
import { digestOf, parseDigest } from './digest.js';

test('sha256 and sha512 digests parse', () => {
  const a = digestOf('x');
  assert.equal(parseDigest(a).algorithm, 'sha256');
  const b = digestOf('x', 'sha512');
  assert.equal(parseDigest(b).hex.length, 128);
});

test('malformed digests are DIGEST_INVALID', () => {
  for (const bad of ['', 'sha256', 'sha256:', 'sha256:totallywrong', `sha256:${'A'.repeat(64)}`, `md5:${'a'.repeat(32)}`, `sha256:${'a'.repeat(63)}`, `sha512:${'a'.repeat(64)}`]) {
    assert.throws(() => parseDigest(bad), (e: { code?: string }) => e.code === 'DIGEST_INVALID', bad);
  }
});
