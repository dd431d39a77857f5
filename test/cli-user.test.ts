import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { havenBin, startHaven, type RunningHaven } from './helpers/haven.js';

let h: RunningHaven;

/** `haven user ...` with a timeout, on the test server's database; `input` goes to stdin. */
const haven = (args: string[], input = '', env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [havenBin, 'user', ...args], {
    encoding: 'utf8',
    input,
    timeout: 30_000,
    env: { ...process.env, HAVEN_CONFIG: '/dev/null', HAVEN_ADMIN_PASSWORD: '', HAVEN_DATABASE_URL: h?.databaseUrl ?? '', ...env },
  });

const generated = (stdout: string) => {
  const m = /\(generated, shown once\): (\S+)/.exec(stdout);
  assert.ok(m, stdout);
  return m[1]!;
};

/** GET /users/current with Basic credentials: the status and the body. */
async function whoami(h: RunningHaven, username: string, password: string) {
  const r = await fetch(`${h.url}/api/v2.0/users/current`, {
    headers: { Authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` },
    signal: AbortSignal.timeout(10_000),
  });
  return { status: r.status, body: (await r.json()) as { username?: string; sysadmin_flag?: boolean } };
}

describe('haven user', () => {
  before(async () => {
    h = await startHaven({ env: { HAVEN_ADMIN_PASSWORD: 'Admin12345' } });
  });
  after(async () => {
    await h?.cleanup();
  });

  test('create, while the server runs, gives a user who can log in over HTTP', async () => {
    const r = haven(['create', 'carol', '--data-dir', h.dataDir, '--password-stdin'], 'Carol12345\n');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /created user carol/);
    const me = await whoami(h, 'carol', 'Carol12345');
    assert.equal(me.status, 200);
    assert.equal(me.body.username, 'carol');
    assert.equal(me.body.sysadmin_flag, false);

    const admin = haven(['create', 'dave', '--admin', '--data-dir', h.dataDir]);
    assert.equal(admin.status, 0, admin.stderr);
    assert.match(admin.stdout, /created user dave .*system administrator/);
    const dave = await whoami(h, 'dave', generated(admin.stdout));
    assert.equal(dave.status, 200);
    assert.equal(dave.body.sysadmin_flag, true);

    const again = haven(['create', 'carol', '--data-dir', h.dataDir, '--password', 'Carol12345']);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /already taken/);
  });

  test('a weak password is refused naming the rule; nothing is created', async () => {
    for (const [password, rule] of [
      ['alllowercase1', /uppercase/],
      ['ALLUPPERCASE1', /lowercase/],
      ['NoDigitsHere', /digit/],
      ['Sh0rt', /8 to 128/],
    ] as const) {
      const r = haven(['create', 'erin', '--data-dir', h.dataDir, '--password', password]);
      assert.equal(r.status, 1, r.stdout);
      assert.match(r.stderr, rule);
    }
    const reset = haven(['reset-password', 'carol', '--data-dir', h.dataDir, '--password-stdin'], 'weakpass\n');
    assert.equal(reset.status, 1);
    assert.match(reset.stderr, /uppercase/);
    assert.equal((await whoami(h, 'carol', 'Carol12345')).status, 200, 'password unchanged');
    assert.equal((await whoami(h, 'erin', 'alllowercase1')).status, 401);
  });

  test('mistakes are reported without touching anything', () => {
    const empty = mkdtempSync(join(tmpdir(), 'haven-cli-user-'));
    try {
      const noDb = haven(['reset-password', 'admin', '--data-dir', empty], '', { HAVEN_DATABASE_URL: '' });
      assert.equal(noDb.status, 1);
      assert.match(noDb.stderr, /no Haven database/);
      assert.ok(!existsSync(join(empty, 'haven.db')), 'no database was created');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
    const unknown = haven(['reset-password', 'nobody', '--data-dir', h.dataDir]);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /user nobody not found/);
    assert.equal(haven(['create', '--data-dir', h.dataDir]).status, 2);
    assert.equal(haven(['frobnicate']).status, 2);
    assert.equal(haven(['create', 'x', '--password', 'Abcdefgh1', '--password-stdin', '--data-dir', h.dataDir]).status, 2);
    assert.match(haven(['--help']).stdout, /reset-password/);
  });

  test('reset-password of admin with the server stopped: the old password fails, the new one works', async () => {
    await h.stop();
    const r = haven(['reset-password', 'admin', '--data-dir', h.dataDir]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /password of admin reset/);
    const password = generated(r.stdout);
    assert.match(password, /[A-Z]/);
    assert.match(password, /[a-z]/);
    assert.match(password, /[0-9]/);

    h = await startHaven({ dataDir: h.dataDir, env: { HAVEN_ADMIN_PASSWORD: 'Admin12345' } });
    assert.equal((await whoami(h, 'admin', 'Admin12345')).status, 401);
    const me = await whoami(h, 'admin', password);
    assert.equal(me.status, 200);
    assert.equal(me.body.sysadmin_flag, true);

    // --config is honoured like serve's: dataDir from a haven.yml.
    const cfgDir = mkdtempSync(join(tmpdir(), 'haven-cli-user-cfg-'));
    try {
      writeFileSync(join(cfgDir, 'haven.yml'), `dataDir: ${JSON.stringify(h.dataDir)}\n`);
      const viaConfig = haven(['reset-password', 'carol', '--config', join(cfgDir, 'haven.yml'), '--password-stdin'], 'Carol67890\n');
      assert.equal(viaConfig.status, 0, viaConfig.stderr);
      assert.doesNotMatch(viaConfig.stdout, /generated/);
    } finally {
      rmSync(cfgDir, { recursive: true, force: true });
    }
    // Carol has not logged in to this server process yet, so nothing is cached: the change is seen.
    assert.equal((await whoami(h, 'carol', 'Carol67890')).status, 200);
  });
});
