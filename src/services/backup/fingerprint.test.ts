import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TableFingerprint } from './fingerprint.js';

const of = (rows: Array<Record<string, unknown>>) => {
  const f = new TableFingerprint();
  for (const r of rows) f.add(r);
  return f.value;
};

test('the same rows in any order, with int8 as text or as a number, agree', () => {
  const a = [{ id: 1, name: 'x', content: Buffer.from([1, 2]) }, { id: 2, name: null, content: Buffer.alloc(0) }];
  const b = [{ content: Buffer.alloc(0), name: null, id: '2' }, { id: '1', content: new Uint8Array([1, 2]), name: 'x' }];
  assert.equal(of(a), of(b));
  assert.match(of(a), /^2:[0-9a-f]{32}$/);
});

test('one changed byte, a moved value, a missing or duplicated row: all differ', () => {
  const base = of([{ a: 'ab', b: 'c', bytes: Buffer.from([0, 1]) }]);
  assert.notEqual(of([{ a: 'ab', b: 'c', bytes: Buffer.from([0, 2]) }]), base);
  assert.notEqual(of([{ a: 'a', b: 'bc', bytes: Buffer.from([0, 1]) }]), base);
  assert.notEqual(of([{ a: 'ab', b: null, bytes: Buffer.from([0, 1]) }]), base);
  assert.notEqual(of([{ a: 'ab', b: 'null', bytes: Buffer.from([0, 1]) }]), of([{ a: 'ab', b: null, bytes: Buffer.from([0, 1]) }]));
  const r = { a: 1 };
  assert.notEqual(of([r, r]), of([r]));
  assert.notEqual(of([]), of([r]));
});
