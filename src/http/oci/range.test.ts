import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseContentRange, parseRangeHeader } from './range.js';

test('Range header forms', () => {
  assert.equal(parseRangeHeader(undefined, 10), null);
  assert.deepEqual(parseRangeHeader('bytes=0-4', 10), { start: 0, end: 4 });
  assert.deepEqual(parseRangeHeader('bytes=5-', 10), { start: 5, end: 9 });
  assert.deepEqual(parseRangeHeader('bytes=-3', 10), { start: 7, end: 9 });
  assert.deepEqual(parseRangeHeader('bytes=-30', 10), { start: 0, end: 9 });
  assert.deepEqual(parseRangeHeader('bytes=2-100', 10), { start: 2, end: 9 });
  assert.equal(parseRangeHeader('bytes=0-1,3-4', 10), null, 'multiple ranges get the whole blob');
  assert.equal(parseRangeHeader('items=0-1', 10), null);
});

test('unsatisfiable ranges are 416 with the size', () => {
  for (const h of ['bytes=10-', 'bytes=20-30', 'bytes=5-2', 'bytes=-0']) {
    assert.throws(() => parseRangeHeader(h, 10), (e: { status?: number; headers?: Record<string, string> }) => {
      assert.equal(e.status, 416);
      assert.equal(e.headers?.['Content-Range'], 'bytes */10');
      return true;
    }, h);
  }
});

test('upload Content-Range', () => {
  assert.equal(parseContentRange(undefined), null);
  assert.deepEqual(parseContentRange('0-99'), { start: 0, end: 99 });
  assert.deepEqual(parseContentRange('bytes 100-199/*'), { start: 100, end: 199 });
  assert.throws(() => parseContentRange('abc'), (e: { status?: number }) => e.status === 416);
  assert.throws(() => parseContentRange('10-5'), (e: { status?: number }) => e.status === 416);
});
