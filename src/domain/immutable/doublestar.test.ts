import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BadPatternError, compileDoublestar, doublestarMatch } from './doublestar.js';

// [pattern, name, matches]: the behaviour of bmatcuk/doublestar v1, which Harbor's selectors use.
const cases: Array<[string, string, boolean]> = [
  ['*', '', true],
  ['*', '/', false],
  ['/*', '/', true],
  ['/*', '/debug/', false],
  ['abc', 'abc', true],
  ['abc', 'abcd', false],
  ['*', 'abc', true],
  ['*c', 'abc', true],
  ['*/', 'a/', true],
  ['a*', 'a', true],
  ['a*', 'ab/c', false],
  ['a*/b', 'abc/b', true],
  ['a*/b', 'a/c/b', false],
  ['a*b*c*d*e*/f', 'axbxcxdxexxx/f', true],
  ['a*b*c*d*e*/f', 'axbxcxdxe/xxx/f', false],
  ['a*b?c*x', 'abxbbxdbxebxczzx', true],
  ['a*b?c*x', 'abxbbxdbxebxczzy', false],
  ['ab[b-d]', 'abc', true],
  ['ab[e-g]', 'abc', false],
  ['ab[^c]', 'abc', false],
  ['ab[^e-g]', 'abc', true],
  ['a\\*b', 'ab', false],
  ['a\\*b', 'a*b', true],
  ['a?b', 'a☺b', true],
  ['a???b', 'a☺b', false],
  ['a?b', 'a/b', false],
  ['a*b', 'a/b', false],
  ['[^a]', '/', false],
  ['[\\]a]', ']', true],
  ['[x\\-]', '-', true],
  ['[x\\-]', 'z', false],
  ['a/**', 'a', false],
  ['a/**', 'a/', true],
  ['a/**', 'a/b/c', true],
  ['**/c', 'c', true],
  ['**/c', 'a/b/c', true],
  ['**/c', 'abcd', false],
  ['**/c', 'a/abc', false],
  ['a/**/b', 'a/b', true],
  ['a/**/d', 'a/b/c/d', true],
  ['a/\\**', 'a/b/c', false],
  ['a//b/c', 'a/b/c', false],
  ['a/b/c', 'a/b//c', false],
  ['a/', 'a', false],
  ['abc**', 'abc/b', false],
  ['abc**', 'abcdef', true],
  ['**', '', true],
  ['**', 'a/b/c', true],
  ['ab{c,d}', 'abc', true],
  ['ab{c,d,*}', 'abcde', true],
  ['a{,bc}', 'a', true],
  ['a{,bc}', 'abc', true],
  ['a/{b/c,c/b}', 'a/c/b', true],
  ['{a/{b,c},abc}', 'a/c', true],
  ['{a/{b,c},abc}', 'abc', true],
  ['{a/{b,c},abc}', 'a/b/c', false],
  ['{a/*}', 'a/b', true],
  ['**/*.txt', 'abc/【test】.txt', true],
  ['[{]', '{', true],
  ['a}', 'a}', true],
  // What Harbor users write.
  ['release-**', 'release-1.10', true],
  ['release-**', 'releases', false],
  ['v{1,2}.*', 'v2.0', true],
  ['v{1,2}.*', 'v3.0', false],
  ['{latest,stable}', 'stable', true],
  ['library/**', 'library/team/nginx', true],
  ['**', 'team/nginx', true],
  ['nginx', 'team/nginx', false],
];

test('doublestar matches as doublestar v1 does', () => {
  for (const [pattern, name, want] of cases) {
    assert.equal(doublestarMatch(pattern, name), want, `${JSON.stringify(pattern)} against ${JSON.stringify(name)}`);
  }
});

test('an empty pattern matches everything, as Harbor treats it', () => {
  assert.equal(doublestarMatch('', 'anything/at/all'), true);
});

test('malformed patterns are refused', () => {
  for (const p of ['[', '[^', '[^bc', '[]a]', '[-]', '[x-]', '[-x]', '[a-b-c]', '\\', 'a\\', 'ab{c,d', '{a,{b}', 'ab{c,d}[', 'x'.repeat(513)]) {
    assert.throws(() => compileDoublestar(p), BadPatternError, JSON.stringify(p));
  }
  // 2^8 alternatives is more than anyone means.
  assert.throws(() => compileDoublestar('{a,b}'.repeat(8)), BadPatternError);
});

test('hostile patterns stay fast: no exponential backtracking', () => {
  const name = `${'a'.repeat(200)}/${'a'.repeat(200)}`;
  const start = performance.now();
  for (const p of ['*a*a*a*a*a*a*a*a*a*a*a*a*b', '**/**/**/**/**/**/**/**/b', '{*a,a*}{*a,a*}{*a,a*}{*a,a*}{*a,a*}{*a,a*}b']) {
    assert.equal(doublestarMatch(p, name), false);
  }
  assert.ok(performance.now() - start < 500, `took ${performance.now() - start} ms`);
});
