import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verifyPassword } from '../../auth/passwords.js';
import { openTestDatabase } from '../../db/test-database.js';
import { createUserStore, type UserStore } from '../../db/users.js';
import { ensureAdmin } from './bootstrap.js';

test('the generated admin password is on disk before the admin is committed, so a crash between never loses it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'haven-bootstrap-'));
  const database = await openTestDatabase();
  const users = createUserStore(database.db);
  try {
    // A crash at the commit: the file is already there, and no admin exists.
    const crashing: UserStore = { ...users, create: async () => { throw new Error('power lost'); } };
    await assert.rejects(ensureAdmin(crashing, dir, ''), /power lost/);
    const first = readFileSync(join(dir, 'admin-password'), 'utf8').trim();
    assert.ok(first.length >= 12);
    assert.equal(await users.byName('admin'), null);
    // The next start makes a new admin and a new file; its password is the admin's.
    const r = await ensureAdmin(users, dir, '');
    assert.equal(r.created, true);
    const second = readFileSync(join(dir, 'admin-password'), 'utf8').trim();
    assert.equal(r.generatedPassword, second);
    assert.equal(statSync(join(dir, 'admin-password')).mode & 0o777, 0o600);
    assert.ok(await verifyPassword((await users.byName('admin'))!.password_hash, second));
    // Once the admin exists, nothing is rewritten.
    assert.deepEqual(await ensureAdmin(users, dir, ''), { created: false, generatedPassword: null, passwordFile: null });
    assert.equal(readFileSync(join(dir, 'admin-password'), 'utf8').trim(), second);
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
