import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { isUniqueViolation } from './errors.js';

function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  assert.fail('expected an error');
}

test('real SQLite unique and primary-key violations are recognised; other constraint errors are not', () => {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, parent INTEGER REFERENCES t(id), n INTEGER CHECK (n > 0))');
  db.pragma('foreign_keys = ON');
  db.prepare('INSERT INTO t (id, name, n) VALUES (1, ?, 1)').run('a');

  const unique = thrownBy(() => db.prepare('INSERT INTO t (id, name, n) VALUES (2, ?, 1)').run('a'));
  assert.equal((unique as { code: string }).code, 'SQLITE_CONSTRAINT_UNIQUE');
  assert.equal(isUniqueViolation(unique), true);

  const primary = thrownBy(() => db.prepare('INSERT INTO t (id, name, n) VALUES (1, ?, 1)').run('b'));
  assert.equal((primary as { code: string }).code, 'SQLITE_CONSTRAINT_PRIMARYKEY');
  assert.equal(isUniqueViolation(primary), true);

  // A wrapped one (a store adding context) still counts.
  assert.equal(isUniqueViolation(new Error('creating user', { cause: unique })), true);

  for (const other of [
    thrownBy(() => db.prepare('INSERT INTO t (id, name, n) VALUES (3, NULL, 1)').run()),
    thrownBy(() => db.prepare('INSERT INTO t (id, name, n) VALUES (3, ?, 0)').run('c')),
    thrownBy(() => db.prepare('INSERT INTO t (id, name, parent, n) VALUES (3, ?, 99, 1)').run('c')),
    thrownBy(() => db.prepare('SELECT * FROM missing').all()),
  ]) {
    assert.match((other as { code: string }).code, /^SQLITE_/);
    assert.equal(isUniqueViolation(other), false, (other as Error).message);
  }
  db.close();
});

test("PostgreSQL's unique_violation (SQLSTATE 23505) is recognised, other SQLSTATEs and non-errors are not", () => {
  assert.equal(isUniqueViolation(Object.assign(new Error('duplicate key value violates unique constraint "users_username_key"'), { code: '23505' })), true);
  assert.equal(isUniqueViolation(Object.assign(new Error('insert or update violates foreign key constraint'), { code: '23503' })), false);
  for (const v of [null, undefined, 'SQLITE_CONSTRAINT_UNIQUE', 23505, {}, new Error('x')]) assert.equal(isUniqueViolation(v), false);
});
