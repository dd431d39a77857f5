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
