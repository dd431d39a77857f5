// Harbor's users API end to end: /api/v2.0/users (list, create, read, profile, delete, password,
// sysadmin, current, search), self-registration through /configurations, and passwords that
// never leave the server: not in any response, not in the audit log, not in haven.log.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { apiClient, replyText, type Creds, type Reply } from './helpers/api-client.js';
import { eventually } from './helpers/eventually.js';
import { startHaven, type RunningHaven } from './helpers/haven.js';

let h: RunningHaven;
let client: ReturnType<typeof apiClient>;
/** Everything any response showed: no password may appear in it. */
const seen: string[] = [];
/** Every password this file sends, accepted or refused. */
const passwords = new Set<string>();

/** The administrator's user id: Haven creates admin first. */
const adminId = 1;

const api = (method: string, path: string, opts: Parameters<typeof client.api>[2] = {}) => {
  const body = opts.body as { password?: string; old_password?: string; new_password?: string } | undefined;
  for (const p of [body?.password, body?.old_password, body?.new_password]) if (typeof p === 'string' && p.length >= 6) passwords.add(p);
  if (opts.as) passwords.add(opts.as.password);
  return client.api(method, path, opts);
};

function idOf(r: Reply): number {
  const loc = r.headers.get('location');
  assert.ok(loc, 'a Location header');
  const m = /^\/api\/v2\.0\/users\/(\d+)$/.exec(loc);
  assert.ok(m, `Location ${loc} names the new user`);
  return Number(m[1]);
}

async function createUser(c: Creds, email = `${c.username}@example.com`, as: Creds | null | undefined = undefined): Promise<number> {
  const r = await api('POST', '/users', { as, body: { username: c.username, password: c.password, email, realname: c.username.toUpperCase(), comment: 'test' } });
  assert.equal(r.status, 201, r.text);
  return idOf(r);
}

let serial = 0;
/**
 * A user of the test's own, with a name no other test uses: each test sets up what it needs, so
 * none depends on another having run first (or not having run).
 */
async function newUser(prefix: string): Promise<Creds & { id: number }> {
  const username = `${prefix}${++serial}`;
  const c = { username, password: `${prefix[0]!.toUpperCase()}${prefix.slice(1)}Pw${serial}x9` };
  return { ...c, id: await createUser(c) };
}

/**
 * Requests that carry passwords, accepted and refused: a user created, a wrong and a right login,
 * a refused weak password, a password change. Returns the user.
 */
async function passwordTraffic(c = client): Promise<Creds> {
  const u = { username: `pw${++serial}`, password: `Secret${serial}Pw99` };
  const newPassword = `Changed${serial}Pw77`;
  const weak = `weakpw${serial}xx`;
  for (const p of [u.password, newPassword, weak]) passwords.add(p);
  const created = await c.api('POST', '/users', { body: { username: u.username, password: u.password, email: `${u.username}@example.com` } });
  assert.equal(created.status, 201, created.text);
  const id = idOf(created);
  assert.equal((await c.api('GET', '/users/current', { as: { ...u, password: newPassword } })).status, 401);
  assert.equal((await c.api('PUT', `/users/${id}/password`, { as: u, body: { old_password: u.password, new_password: weak } })).status, 400);
  assert.equal((await c.api('PUT', `/users/${id}/password`, { as: u, body: { old_password: u.password, new_password: newPassword } })).status, 200);
  u.password = newPassword;
  assert.equal((await c.api('GET', '/users/current', { as: u })).status, 200);
  return u;
}

function errorMessage(r: Reply): string {
  return String(r.json?.errors?.[0]?.message ?? '');
}

function assertNoPasswordFields(o: unknown): void {
  const text = JSON.stringify(o);
  assert.doesNotMatch(text, /"password"|password_hash|"salt"|passwordHash/i, 'user views never carry password fields');
}

before(async () => {
  h = await startHaven();
  client = apiClient(h, (r) => seen.push(replyText(r)));
  passwords.add(h.admin.password);
});

after(async () => {
  await h?.cleanup();
});

describe('users API', () => {
  test('create: 201 with Location; the new user reads back without any password field', async () => {
    const alice = await newUser('alice');
    const r = await api('GET', `/users/${alice.id}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.user_id, alice.id);
    assert.equal(r.json.username, alice.username);
    assert.equal(r.json.email, `${alice.username}@example.com`);
    assert.equal(r.json.realname, alice.username.toUpperCase());
    assert.equal(r.json.comment, 'test');
    assert.equal(r.json.sysadmin_flag, false);
    assert.ok(!Number.isNaN(Date.parse(r.json.creation_time)));
    assertNoPasswordFields(r.json);
  });

  test('create: a duplicate username or email is 409', async () => {
    const dup = await newUser('dup');
    const dupName = await api('POST', '/users', { body: { username: dup.username, password: 'Other12345', email: 'other@example.com' } });
    assert.equal(dupName.status, 409, dupName.text);
    assert.equal(dupName.json.errors[0].code, 'CONFLICT');
    const dupEmail = await api('POST', '/users', { body: { username: 'dupother', password: 'Other12345', email: `${dup.username}@example.com` } });
    assert.equal(dupEmail.status, 409, dupEmail.text);
    const none = await api('GET', '/users?q=username%3Ddupother');
    assert.equal(none.json.length, 0, 'the refused user was not created');
  });

  test('create: the password rule (8-128 characters, upper, lower, digit) is a 400 naming the rule', async () => {
    const cases: Array<[string, RegExp]> = [
      ['Short1A', /8/],
      [`Aa1${'x'.repeat(126)}`, /128/],
      ['alllower123', /upper/i],
      ['ALLUPPER123', /lower/i],
      ['NoDigitsHere', /digit|number/i],
      ['', /password/i],
    ];
    for (const [password, rule] of cases) {
      const r = await api('POST', '/users', { body: { username: 'weakling', password, email: 'weak@example.com' } });
      assert.equal(r.status, 400, `${password.slice(0, 20)}: ${r.text}`);
      assert.equal(r.json.errors[0].code, 'BAD_REQUEST');
      assert.match(errorMessage(r), rule, `the message names the rule for ${password.slice(0, 20)}`);
    }
    // The boundaries themselves are fine.
    await createUser({ username: 'edge8', password: 'Abcdef12' });
    await createUser({ username: 'edge128', password: `Ab1${'y'.repeat(125)}` });
  });

  test('create: username rules (characters, length, the robot$ prefix) are 400', async () => {
    for (const username of ['has space', 'a,b', 'a~b', 'a#b', 'a$b', 'a%b', 'a"b', 'a:b', 'robot$evil', 'x'.repeat(256), '']) {
      const r = await api('POST', '/users', { body: { username, password: 'Valid12345', email: `${username.length}x@example.com` } });
      assert.equal(r.status, 400, `${JSON.stringify(username.slice(0, 20))}: ${r.text}`);
    }
    await createUser({ username: 'u'.repeat(255), password: 'Valid12345' }, 'long@example.com');
  });

  test('create: a malformed email is 400 (Harbor checks its format)', async () => {
    const r = await api('POST', '/users', { body: { username: 'bademail', password: 'Valid12345', email: 'not-an-email' } });
    assert.equal(r.status, 400, r.text);
  });

  test('create: only administrators while self-registration is off (anonymous 401, users 403)', async () => {
    const alice = await newUser('alice');
    const anon = await api('POST', '/users', { as: null, body: { username: 'mallory', password: 'Mallory123', email: 'm@example.com' } });
    assert.equal(anon.status, 401, anon.text);
    const user = await api('POST', '/users', { as: alice, body: { username: 'mallory', password: 'Mallory123', email: 'm@example.com' } });
    assert.equal(user.status, 403, user.text);
  });

  test('list: administrators only; q by username (fuzzy) and email (exact); sort', async () => {
    const alice = await newUser('listalice');
    const bob = await newUser('listbob');
    assert.equal((await api('GET', '/users', { as: alice })).status, 403);
    assert.equal((await api('GET', '/users', { as: null })).status, 401);

    const fuzzy = await api('GET', `/users?q=${encodeURIComponent(`username=~${alice.username.slice(2)}`)}`);
    assert.equal(fuzzy.status, 200, fuzzy.text);
    assert.deepEqual(fuzzy.json.map((u: { username: string }) => u.username), [alice.username]);
    assert.equal(fuzzy.headers.get('x-total-count'), '1');

    const byEmail = await api('GET', `/users?q=${encodeURIComponent(`email=${bob.username}@example.com`)}`);
    assert.deepEqual(byEmail.json.map((u: { username: string }) => u.username), [bob.username]);
    const partialEmail = await api('GET', `/users?q=${encodeURIComponent(`email=${bob.username}@example`)}`);
    assert.deepEqual(partialEmail.json, [], 'email= is an exact match');

    const asc = await api('GET', '/users?sort=username&page_size=100');
    const names = asc.json.map((u: { username: string }) => u.username) as string[];
    assert.deepEqual(names, [...names].sort());
    assert.ok(names.includes('admin') && names.includes(alice.username));
    const desc = await api('GET', '/users?sort=-username&page_size=100');
    assert.deepEqual(desc.json.map((u: { username: string }) => u.username), [...names].reverse());
    for (const u of asc.json) assertNoPasswordFields(u);

    assert.equal((await api('GET', '/users?sort=password_hash')).status, 400);
    assert.equal((await api('GET', `/users?q=${encodeURIComponent('password_hash=~a')}`)).status, 400);
  });

  test('list: paging with X-Total-Count and Link', async () => {
    for (let i = 0; i < 6; i++) await newUser('pager');
    const all = await api('GET', '/users?page_size=100&sort=user_id');
    const total = Number(all.headers.get('x-total-count'));
    assert.equal(total, all.json.length);
    assert.ok(total >= 6, `enough users to page (${total})`);

    const first = await api('GET', '/users?page=1&page_size=2&sort=user_id');
    assert.equal(first.json.length, 2);
    assert.equal(first.headers.get('x-total-count'), String(total));
    const link1 = first.headers.get('link') ?? '';
    assert.match(link1, /<\/api\/v2\.0\/users\?[^>]*page=2[^>]*>; rel="next"/);
    assert.doesNotMatch(link1, /rel="prev"/);

    const second = await api('GET', '/users?page=2&page_size=2&sort=user_id');
    const link2 = second.headers.get('link') ?? '';
    assert.match(link2, /page=1[^>]*>; rel="prev"/);
    assert.match(link2, /page=3[^>]*>; rel="next"/);
    assert.deepEqual(second.json.map((u: { user_id: number }) => u.user_id), all.json.slice(2, 4).map((u: { user_id: number }) => u.user_id));

    const lastPage = Math.ceil(total / 2);
    const last = await api('GET', `/users?page=${lastPage}&page_size=2&sort=user_id`);
    assert.match(last.headers.get('link') ?? '', /rel="prev"/);
    assert.doesNotMatch(last.headers.get('link') ?? '', /rel="next"/);
    const beyond = await api('GET', `/users?page=${lastPage + 5}&page_size=2`);
    assert.equal(beyond.status, 200);
    assert.deepEqual(beyond.json, []);

    assert.equal((await api('GET', '/users?page=0')).status, 400);
    assert.equal((await api('GET', '/users?page_size=101')).status, 400);
    assert.equal((await api('GET', '/users?page_size=-1')).status, 400);
  });

  test('get by id: oneself or an administrator; others 403, anonymous 401, unknown 404', async () => {
    const alice = await newUser('alice');
    const bob = await newUser('bob');
    assert.equal((await api('GET', `/users/${alice.id}`, { as: alice })).status, 200);
    assert.equal((await api('GET', `/users/${bob.id}`, { as: alice })).status, 403);
    assert.equal((await api('GET', `/users/${adminId}`, { as: alice })).status, 403);
    assert.equal((await api('GET', `/users/${alice.id}`, { as: null })).status, 401);
    assert.equal((await api('GET', '/users/999999')).status, 404);
    assert.equal((await api('GET', '/users/abc')).status, 400);
  });

  test('PUT profile: oneself or an administrator; email stays unique', async () => {
    const alice = await newUser('alice');
    const bob = await newUser('bob');
    const own = await api('PUT', `/users/${alice.id}`, { as: alice, body: { realname: 'Alice A.', comment: 'hello', email: 'alice@corp.example.com' } });
    assert.equal(own.status, 200, own.text);
    const r = await api('GET', `/users/${alice.id}`, { as: alice });
    assert.equal(r.json.realname, 'Alice A.');
    assert.equal(r.json.comment, 'hello');
    assert.equal(r.json.email, 'alice@corp.example.com');

    const other = await api('PUT', `/users/${bob.id}`, { as: alice, body: { realname: 'hacked' } });
    assert.equal(other.status, 403, other.text);
    assert.equal((await api('GET', `/users/${bob.id}`)).json.realname, bob.username.toUpperCase());
    assert.equal((await api('PUT', `/users/${bob.id}`, { as: null, body: { realname: 'hacked' } })).status, 401);

    const taken = await api('PUT', `/users/${alice.id}`, { as: alice, body: { email: `${bob.username}@example.com` } });
    assert.equal(taken.status, 409, taken.text);
    const malformed = await api('PUT', `/users/${alice.id}`, { as: alice, body: { email: 'alice at corp' } });
    assert.equal(malformed.status, 400, malformed.text);
    assert.equal((await api('GET', `/users/${alice.id}`)).json.email, 'alice@corp.example.com');

    const byAdmin = await api('PUT', `/users/${bob.id}`, { body: { comment: 'set by admin' } });
    assert.equal(byAdmin.status, 200, byAdmin.text);
    assert.equal((await api('GET', `/users/${bob.id}`)).json.comment, 'set by admin');
    assert.equal((await api('PUT', '/users/999999', { body: { comment: 'x' } })).status, 404);
  });

  test('PUT password: oneself with the right old password; admins reset others; the rule applies', async () => {
    const alice = await newUser('alice');
    const bob = await newUser('bob');
    const wrongOld = await api('PUT', `/users/${alice.id}/password`, { as: alice, body: { old_password: 'Wrong12345', new_password: 'Alice67890' } });
    assert.equal(wrongOld.status, 403, wrongOld.text);
    const noOld = await api('PUT', `/users/${alice.id}/password`, { as: alice, body: { new_password: 'Alice67890' } });
    assert.equal(noOld.status, 403, noOld.text);
    const weak = await api('PUT', `/users/${alice.id}/password`, { as: alice, body: { old_password: alice.password, new_password: 'weakpass' } });
    assert.equal(weak.status, 400, weak.text);
    assert.match(errorMessage(weak), /upper/i);
    const others = await api('PUT', `/users/${bob.id}/password`, { as: alice, body: { old_password: bob.password, new_password: 'Stolen12345' } });
    assert.equal(others.status, 403, others.text);
    const anon = await api('PUT', `/users/${alice.id}/password`, { as: null, body: { old_password: alice.password, new_password: 'Alice67890' } });
    assert.equal(anon.status, 401, anon.text);

    const ok = await api('PUT', `/users/${alice.id}/password`, { as: alice, body: { old_password: alice.password, new_password: 'Alice67890' } });
    assert.equal(ok.status, 200, ok.text);
    const oldCreds = { ...alice };
    alice.password = 'Alice67890';
    passwords.add(alice.password);
    assert.equal((await api('GET', '/users/current', { as: oldCreds })).status, 401, 'the old password stops working at once');
    assert.equal((await api('GET', '/users/current', { as: alice })).status, 200);

    // An administrator resets another user's password without the old one; the rule still holds.
    const weakReset = await api('PUT', `/users/${bob.id}/password`, { body: { new_password: 'short' } });
    assert.equal(weakReset.status, 400, weakReset.text);
    const reset = await api('PUT', `/users/${bob.id}/password`, { body: { new_password: 'BobReset123' } });
    assert.equal(reset.status, 200, reset.text);
    bob.password = 'BobReset123';
    passwords.add(bob.password);
    assert.equal((await api('GET', '/users/current', { as: bob })).status, 200);
    assert.equal((await api('PUT', '/users/999999/password', { body: { new_password: 'Whatever123' } })).status, 404);
  });

  test('PUT sysadmin: administrators only; nobody grants themselves the role', async () => {
    const alice = await newUser('alice');
    const bob = await newUser('bob');
    const self = await api('PUT', `/users/${alice.id}/sysadmin`, { as: alice, body: { sysadmin_flag: true } });
    assert.equal(self.status, 403, self.text);
    assert.equal((await api('GET', `/users/${alice.id}`)).json.sysadmin_flag, false);
    assert.equal((await api('GET', '/users', { as: alice })).status, 403, 'still no administrator');
    assert.equal((await api('PUT', `/users/${bob.id}/sysadmin`, { as: alice, body: { sysadmin_flag: true } })).status, 403);
    assert.equal((await api('PUT', `/users/${bob.id}/sysadmin`, { as: null, body: { sysadmin_flag: true } })).status, 401);
    // Profile updates ignore a smuggled flag.
    assert.equal((await api('PUT', `/users/${alice.id}`, { as: alice, body: { sysadmin_flag: true, admin_role_in_auth: true, comment: 'x' } })).status, 200);
    assert.equal((await api('GET', `/users/${alice.id}`)).json.sysadmin_flag, false);

    assert.equal((await api('PUT', `/users/${bob.id}/sysadmin`, { body: { sysadmin_flag: true } })).status, 200);
    assert.equal((await api('GET', `/users/${bob.id}`)).json.sysadmin_flag, true);
    assert.equal((await api('GET', '/users', { as: bob })).status, 200, 'the new administrator lists users at once');
    assert.equal((await api('PUT', `/users/${bob.id}/sysadmin`, { body: { sysadmin_flag: false } })).status, 200);
    assert.equal((await api('GET', '/users', { as: bob })).status, 403, 'the revoked role is gone at once');
    assert.equal((await api('PUT', `/users/${adminId}/sysadmin`, { body: { sysadmin_flag: false } })).status, 403, 'an administrator cannot demote themself');
    assert.equal((await api('PUT', `/users/${alice.id}/sysadmin`, { body: { sysadmin_flag: 'yes' } })).status, 400);
  });

  test('DELETE: administrators only, never oneself', async () => {
    const alice = await newUser('alice');
    const carol = await newUser('carol');
    assert.equal((await api('DELETE', `/users/${carol.id}`, { as: alice })).status, 403);
    assert.equal((await api('DELETE', `/users/${carol.id}`, { as: null })).status, 401);
    assert.equal((await api('DELETE', `/users/${adminId}`)).status, 403);
    assert.equal((await api('GET', '/users/current', { as: carol })).status, 200);
    const r = await api('DELETE', `/users/${carol.id}`);
    assert.equal(r.status, 200, r.text);
    assert.equal((await api('GET', `/users/${carol.id}`)).status, 404);
    assert.equal((await api('GET', '/users/current', { as: carol })).status, 401, 'a deleted user cannot log in, even with a remembered login');
    assert.equal((await api('DELETE', `/users/${carol.id}`)).status, 404);
  });

  test('GET /users/current', async () => {
    const alice = await newUser('alice');
    const me = await api('GET', '/users/current', { as: alice });
    assert.equal(me.status, 200);
    assert.equal(me.json.username, alice.username);
    assert.equal(me.json.sysadmin_flag, false);
    assertNoPasswordFields(me.json);
    const adm = await api('GET', '/users/current');
    assert.equal(adm.json.username, 'admin');
    assert.equal(adm.json.sysadmin_flag, true);
    assert.equal((await api('GET', '/users/current', { as: null })).status, 401);
  });

  test('GET /users/search?username=: any logged-in user; ids and names only', async () => {
    const alice = await newUser('searchme');
    const bob = await newUser('bob');
    const part = alice.username.slice(0, -1);
    const r = await api('GET', `/users/search?username=${part}`, { as: bob });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, [{ user_id: alice.id, username: alice.username }]);
    assert.equal(r.headers.get('x-total-count'), '1');
    assert.equal((await api('GET', `/users/search?username=${part}`, { as: null })).status, 401);
    assert.equal((await api('GET', '/users/search', { as: bob })).status, 400);
    assert.deepEqual((await api('GET', '/users/search?username=%25', { as: bob })).json, [], '% matches literally');
    assert.deepEqual((await api('GET', '/users/search?username=_', { as: bob })).json, [], '_ matches literally');
  });

  test('configurations: administrators only', async () => {
    const alice = await newUser('alice');
    assert.equal((await api('PUT', '/configurations', { body: { self_registration: false } })).status, 200);
    const r = await api('GET', '/configurations');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.self_registration.value, false);
    assert.equal((await api('GET', '/configurations', { as: alice })).status, 403);
    assert.equal((await api('GET', '/configurations', { as: null })).status, 401);
    assert.equal((await api('PUT', '/configurations', { as: alice, body: { self_registration: true } })).status, 403);
    assert.equal((await api('PUT', '/configurations', { as: null, body: { self_registration: true } })).status, 401);
    assert.equal((await api('GET', '/configurations')).json.self_registration.value, false, 'refused changes changed nothing');
    assert.equal((await api('PUT', '/configurations', { body: { self_registration: 'yes' } })).status, 400);
    assert.equal((await api('PUT', '/configurations', { body: { auth_mode: 'ldap_auth' } })).status, 400);
  });

  test('configurations: token_expiration sets the lifetime of the registry tokens issued from then on', async () => {
    const issued = async () => {
      const r = await client.call('GET', '/service/token?service=haven');
      assert.equal(r.status, 200, r.text);
      const claims = JSON.parse(Buffer.from(String(r.json.token).split('.')[1]!, 'base64url').toString('utf8')) as { iat: number; exp: number };
      return { expiresIn: Number(r.json.expires_in), lifetime: claims.exp - claims.iat };
    };
    // auth.tokenTtl until the administrator sets it: 30 minutes.
    assert.deepEqual((await api('GET', '/configurations')).json.token_expiration, { value: 30, editable: true });
    assert.deepEqual(await issued(), { expiresIn: 1800, lifetime: 1800 });
    assert.equal((await api('PUT', '/configurations', { body: { token_expiration: 5 } })).status, 200);
    assert.deepEqual((await api('GET', '/configurations')).json.token_expiration, { value: 5, editable: true });
    assert.deepEqual(await issued(), { expiresIn: 300, lifetime: 300 });
    for (const bad of [0, -1, 2.5, '10', 525_601]) {
      const r = await api('PUT', '/configurations', { body: { token_expiration: bad } });
      assert.equal(r.status, 400, `${bad}: ${r.text}`);
      assert.match(r.text, /token_expiration must be a whole number of minutes/);
    }
    assert.deepEqual(await issued(), { expiresIn: 300, lifetime: 300 }, 'refused values changed nothing');
    assert.equal((await api('PUT', '/configurations', { body: { token_expiration: 30 } })).status, 200);
  });

  test('self-registration: once on, anonymous callers register, never as administrators', async () => {
    const on = await api('PUT', '/configurations', { body: { self_registration: true } });
    assert.equal(on.status, 200, on.text);
    assert.equal((await api('GET', '/configurations')).json.self_registration.value, true);
    assert.equal((await api('GET', '/systeminfo', { as: null })).json.self_registration, true);

    const eve: Creds = { username: `eve${++serial}`, password: 'EveEve12345' };
    const r = await api('POST', '/users', {
      as: null,
      body: {
        username: eve.username,
        password: eve.password,
        email: 'eve@example.com',
        realname: 'Eve',
        sysadmin_flag: true,
        admin_role_in_auth: true,
        role_id: 1,
        role_name: 'projectAdmin',
        user_id: 1,
      },
    });
    assert.equal(r.status, 201, r.text);
    const eveId = idOf(r);
    assert.notEqual(eveId, 1);
    const view = await api('GET', `/users/${eveId}`);
    assert.equal(view.json.username, eve.username);
    assert.equal(view.json.sysadmin_flag, false);
    assert.equal(view.json.admin_role_in_auth, false);
    assert.equal((await api('GET', '/users/current', { as: eve })).json.sysadmin_flag, false);
    assert.equal((await api('GET', '/users', { as: eve })).status, 403);
    assert.equal((await api('GET', '/users/current')).json.username, 'admin', 'user 1 is untouched');

    // Registration keeps every rule; logged-in non-administrators still may not create users.
    assert.equal((await api('POST', '/users', { as: null, body: { username: eve.username, password: 'EveEve67890', email: 'eve2@example.com' } })).status, 409);
    assert.equal((await api('POST', '/users', { as: null, body: { username: 'eve2', password: 'weak', email: 'eve2@example.com' } })).status, 400);
    assert.equal((await api('POST', '/users', { as: eve, body: { username: 'evesfriend', password: 'Friend12345', email: 'f@example.com' } })).status, 403);
    assert.equal((await api('POST', '/users', { as: null, body: { username: 'admin', password: 'Admin99999x', email: 'a2@example.com' } })).status, 409);

    assert.equal((await api('PUT', '/configurations', { body: { self_registration: false } })).status, 200);
    assert.equal((await api('POST', '/users', { as: null, body: { username: 'late', password: 'LateLate123', email: 'late@example.com' } })).status, 401);
  });

  test('no password in the audit log', async () => {
    const pw = await passwordTraffic();
    // Audit records are written in batches: wait for the last of this test's.
    const text = await eventually(async () => {
      const rows: unknown[] = [];
      for (let page = 1; page < 50; page++) {
        const r = await api('GET', `/audit-logs?page=${page}&page_size=100`);
        assert.equal(r.status, 200, r.text);
        rows.push(...r.json);
        if (r.json.length < 100) break;
      }
      const text = JSON.stringify(rows);
      assert.match(text, new RegExp(`${pw.username}/password`), 'the password change itself is audited');
      return text;
    });
    for (const p of passwords) assert.ok(!text.includes(p), `password ${p.slice(0, 3)}… appears in the audit log`);
  });

  test('no password in any response', async () => {
    await passwordTraffic();
    const all = seen.join('\n');
    assert.ok(seen.length >= 5);
    for (const p of passwords) assert.ok(!all.includes(p), `password ${p.slice(0, 3)}… appears in a response`);
    for (const p of passwords) assert.ok(!all.includes(Buffer.from(p).toString('base64')), 'nor base64-encoded');
  });

  test('no password in haven.log', async () => {
    // A server of its own, since reading the whole log means stopping it.
    const own = await startHaven();
    const ownClient = apiClient(own);
    passwords.add(own.admin.password);
    await passwordTraffic(ownClient);
    await own.stop(); // flushes the log
    const log = readFileSync(join(own.dataDir, 'haven.log'), 'utf8');
    await own.cleanup();
    assert.match(log, /"msg":"request"/, 'the log holds the requests');
    for (const p of passwords) {
      assert.ok(!log.includes(p), `password ${p.slice(0, 3)}… appears in haven.log`);
      assert.ok(!log.includes(Buffer.from(p).toString('base64')), `password ${p.slice(0, 3)}… appears base64-encoded in haven.log`);
    }
  });
});
