import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseQuery, parseSort } from './harbor-query.js';

test('q conditions', () => {
  assert.deepEqual(parseQuery('name=~ngi,public=true', ['name', 'public']), [
    { key: 'name', op: 'like', value: 'ngi' },
    { key: 'public', op: 'eq', value: 'true' },
  ]);
  assert.deepEqual(parseQuery('op_time=[2024-01-01 00:00:00~2024-02-01 00:00:00]', ['op_time']), [
    { key: 'op_time', op: 'range', min: '2024-01-01 00:00:00', max: '2024-02-01 00:00:00' },
  ]);
  assert.deepEqual(parseQuery('operation={create delete}', ['operation']), [{ key: 'operation', op: 'any', values: ['create', 'delete'] }]);
  assert.deepEqual(parseQuery('', ['x']), []);
});

test('q injection strings stay values; unknown keys are refused', () => {
  const evil = "x' OR 1=1 --";
  assert.deepEqual(parseQuery(`name=${evil}`, ['name']), [{ key: 'name', op: 'eq', value: evil }]);
  assert.throws(() => parseQuery('password_hash=~a', ['name']), /unsupported query key/);
  assert.throws(() => parseQuery("name) OR 1=1--=x", ['name']), /unsupported query key/);
  assert.throws(() => parseQuery('novalue', ['name']), /invalid query condition/);
});

test('sort keys', () => {
  assert.deepEqual(parseSort('name,-creation_time', ['name', 'creation_time']), [
    { key: 'name', desc: false },
    { key: 'creation_time', desc: true },
  ]);
  assert.throws(() => parseSort('password_hash', ['name']), /unsupported sort key/);
  assert.throws(() => parseSort('name;drop table users', ['name']), /unsupported sort key/);
});
