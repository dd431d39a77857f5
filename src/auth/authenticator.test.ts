import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRobotStore } from '../db/robots.js';
import { openTestDatabase } from '../db/test-database.js';
import { createUserStore } from '../db/users.js';
import { createAuthenticator } from './authenticator.js';
import { createLoginThrottle } from './login-throttle.js';
import { hashPassword } from './passwords.js';

test('a password changed while a login with the old one is being checked is not remembered as valid', async () => {
  const { db } = await openTestDatabase();
  const users = createUserStore(db);
  const id = await users.create({ username: 'alice', email: null, realname: 'A', comment: '', passwordHash: await hashPassword('Old12345'), sysadmin: false });
  const authenticator = createAuthenticator({ users, robots: createRobotStore(db), throttle: createLoginThrottle(), identity: { userExists: async () => true } });
  // The login reads the old hash and runs argon2 (tens of ms); meanwhile the password changes and
  // the change forgets remembered logins, before this login has remembered anything.
  const newHash = await hashPassword('New12345');
  const login = authenticator.password('alice', 'Old12345', '10.0.0.1');
  await new Promise((r) => setTimeout(r, 5));
  await users.setPassword(id, newHash);
  await authenticator.forget('alice');
  assert.equal((await login).ok, true, 'it checked against what it read');
  const again = await authenticator.password('alice', 'Old12345', '10.0.0.1');
  assert.equal(again.ok, false, 'the old password is not served from the cache');
  assert.equal((await authenticator.password('alice', 'New12345', '10.0.0.1')).ok, true);
});

test('guesses sent in parallel are throttled as if sent one after another', async () => {
  const { db } = await openTestDatabase();
  const users = createUserStore(db);
  await users.create({ username: 'bob', email: null, realname: 'B', comment: '', passwordHash: await hashPassword('Right1234'), sysadmin: false });
  const authenticator = createAuthenticator({ users, robots: createRobotStore(db), throttle: createLoginThrottle(), identity: { userExists: async () => true } });
  // The same 20 guesses one after another, on an authenticator of their own, for the reference.
  const reference = createAuthenticator({ users, robots: createRobotStore(db), throttle: createLoginThrottle(), identity: { userExists: async () => true } });
  let sequential = 0;
  for (let i = 0; i < 20; i++) {
    const r = await reference.password('bob', 'Wrong1234', '10.0.0.8');
    if (!r.ok && r.reason === 'invalid') sequential++;
  }
  assert.ok(sequential > 0 && sequential < 10, `sequential: ${sequential}`);
  const results = await Promise.all(Array.from({ length: 20 }, () => authenticator.password('bob', 'Wrong1234', '10.0.0.2')));
  const invalid = results.filter((r) => !r.ok && r.reason === 'invalid').length;
  assert.equal(invalid, sequential, 'as many guesses checked as one after another, then the throttle');
  assert.equal(results.filter((r) => !r.ok && r.reason === 'throttled').length, 20 - sequential);
  assert.equal((await authenticator.password('bob', 'Right1234', '10.0.0.3')).ok, true, 'another client is not locked out');
});
