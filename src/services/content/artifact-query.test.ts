import assert from 'node:assert/strict';
import { test } from 'node:test';
import { artifactFilter, artifactSort } from './artifact-query.js';

const code = (c: string) => (e: { code?: string }) => e.code === c;

test("Harbor's tags forms: *, nil, exact, fuzzy", () => {
  assert.deepEqual(artifactFilter('tags=*').tags, { kind: 'any' });
  assert.deepEqual(artifactFilter('tags=nil').tags, { kind: 'none' });
  assert.deepEqual(artifactFilter('tags=v1').tags, { kind: 'exact', name: 'v1' });
  assert.deepEqual(artifactFilter('tags=~rc').tags, { kind: 'like', pattern: 'rc' });
  assert.throws(() => artifactFilter('tags=[a~b]'), code('BAD_REQUEST'));
});

test('type, digest, media types and labels', () => {
  const f = artifactFilter('type={image CHART},digest=sha256:abc,media_type="application/x",labels=(3 4 3)');
  assert.deepEqual(f.kinds, ['IMAGE', 'CHART']);
  assert.deepEqual(f.digests, ['sha256:abc']);
  assert.deepEqual(f.mediaTypes, ['application/x']);
  assert.deepEqual(f.labelIds, [3, 4]);
  assert.equal(artifactFilter('digest=~abc').digestLike, 'abc');
  assert.throws(() => artifactFilter('labels=(a)'), code('BAD_REQUEST'));
  assert.throws(() => artifactFilter('type=[a~b]'), code('BAD_REQUEST'));
});

test('base=* only; push_time ranges in Harbor time or epoch seconds', () => {
  assert.equal(artifactFilter('base=*').all, true);
  assert.throws(() => artifactFilter('base=all'), code('BAD_REQUEST'));
  assert.deepEqual(artifactFilter('push_time=[2020-04-09 02:36:00~1600000000]').pushedAt, { min: Date.UTC(2020, 3, 9, 2, 36), max: 1_600_000_000_000 });
  assert.deepEqual(artifactFilter('pull_time=[~2020-04-09 02:36:00]').pulledAt, { min: null, max: Date.UTC(2020, 3, 9, 2, 36) });
  assert.throws(() => artifactFilter('push_time=[soon~later]'), code('BAD_REQUEST'));
  assert.throws(() => artifactFilter('push_time=2020'), code('BAD_REQUEST'));
});

test('unknown keys are refused; sort defaults to newest push first', () => {
  assert.throws(() => artifactFilter('repository_id=2'), code('BAD_REQUEST'));
  assert.deepEqual(artifactSort(undefined), [{ column: 'pushed_at', desc: true }, { column: 'id', desc: true }]);
  assert.deepEqual(artifactSort('size,-pull_time'), [{ column: 'total_size', desc: false }, { column: 'pulled_at', desc: true }]);
  assert.throws(() => artifactSort('name'), code('BAD_REQUEST'));
});
