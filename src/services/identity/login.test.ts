import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuthResult } from '../../auth/authenticator.js';
import type { Principal } from '../../domain/identity/principal.js';
import { createLogin, type LoginAttempt } from './login.js';

const robot: Principal = { kind: 'robot', id: 7, name: 'robot$ci', level: 'system', grants: [] };
const user: Principal = { kind: 'user', id: 1, name: 'eve', sysadmin: false };

function setup(result: AuthResult) {
  const records: Array<{ username: string; success: boolean; clientIp: string }> = [];
  const warnings: unknown[] = [];
  const login = createLogin({
    authenticator: { password: async () => result },
    audit: { record: (r) => records.push(r) },
    log: { warn: (obj: unknown) => warnings.push(obj) },
  });
  return { login, records, warnings };
}
const attempt = (more: Partial<LoginAttempt> = {}): LoginAttempt => ({ username: 'eve', password: 'pw', ip: '192.0.2.1', via: '/v2/', ...more });

test('a failure is audited once and logged once, never with the password', async () => {
  const { login, records, warnings } = setup({ ok: false, reason: 'invalid', retryAfterMs: 0 });
  assert.deepEqual(await login(attempt()), { ok: false, reason: 'invalid' });
  assert.deepEqual(records.map((r) => [r.username, r.success, r.clientIp]), [['eve', false, '192.0.2.1']]);
  assert.equal(warnings.length, 1);
  assert.doesNotMatch(JSON.stringify(warnings), /"pw"/);
});

test('throttled: the wait in whole seconds, rounded up, at least one', async () => {
  assert.deepEqual(await setup({ ok: false, reason: 'throttled', retryAfterMs: 1001 }).login(attempt()), { ok: false, reason: 'throttled', retryAfterSeconds: 2 });
  assert.deepEqual(await setup({ ok: false, reason: 'throttled', retryAfterMs: 1 }).login(attempt()), { ok: false, reason: 'throttled', retryAfterSeconds: 1 });
});

test('a success is audited only when asked (an interactive login), and logged never', async () => {
  const quiet = setup({ ok: true, principal: user });
  assert.deepEqual(await quiet.login(attempt()), { ok: true, principal: user });
  assert.equal(quiet.records.length + quiet.warnings.length, 0);
  const loud = setup({ ok: true, principal: user });
  await loud.login(attempt({ auditSuccess: true }));
  assert.deepEqual(loud.records.map((r) => r.success), [true]);
  assert.equal(loud.warnings.length, 0);
});

test('usersOnly: a robot with the right secret fails like a wrong password, audited as a failure', async () => {
  const s = setup({ ok: true, principal: robot });
  assert.deepEqual(await s.login(attempt({ username: 'robot$ci', usersOnly: true, auditSuccess: true })), { ok: false, reason: 'invalid' });
  assert.deepEqual(s.records.map((r) => r.success), [false]);
  assert.equal(s.warnings.length, 1);
  assert.deepEqual(await setup({ ok: true, principal: robot }).login(attempt({ username: 'robot$ci' })), { ok: true, principal: robot });
});
