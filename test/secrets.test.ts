// @haven-own-database: chooses its own databases (an embedded SQLite one, a shared PostgreSQL one).
// secrets.key (issue 10, §0): the keys Haven keeps in the database (token signing, CSRF) are
// kept encrypted when a secret key is configured, so a database dump no longer carries the power
// to mint admin tokens; instances on one database share them with the same secret key; a start
// with no key or the wrong key stops with one line naming secrets.key.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { importSPKI, jwtVerify } from 'jose';
import { postgres } from './backends/postgres.js';
import { havenSql } from './helpers/haven-db.js';
import { startHaven, type RunningHaven } from './helpers/haven.js';

const secret = 'correct horse battery staple, 32+ bytes of secret';
const sealedValue = /^enc:v1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+:[A-Za-z0-9_-]{22}$/;
const notice = /token signing key is kept in plain text in the database/;

async function tokenFrom(h: RunningHaven, scope = 'repository:library/app:pull,push'): Promise<string> {
  const r = await fetch(`${h.url}/service/token?service=haven&scope=${encodeURIComponent(scope)}`, { headers: h.asAdmin });
  assert.equal(r.status, 200);
  return ((await r.json()) as { token: string }).token;
}

/** 404 NAME_UNKNOWN means the token was honoured (the repository does not exist); 401 means refused. */
async function tokenStatus(h: RunningHaven, token: string): Promise<number> {
  const r = await fetch(`${h.url}/v2/library/app/tags/list`, { headers: { Authorization: `Bearer ${token}` } });
  await r.arrayBuffer();
  return r.status;
}

async function login(h: RunningHaven): Promise<{ cookie: string; csrf: string }> {
  const r = await fetch(`${h.url}/c/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ principal: h.admin.username, password: h.admin.password }),
  });
  assert.equal(r.status, 200);
  return { cookie: /sid=[^;]+/.exec(r.headers.get('set-cookie') ?? '')![0], csrf: r.headers.get('x-harbor-csrf-token')! };
}

/** A portal write with the session and its CSRF token: both keys must be the ones it was made with. */
async function sessionWrite(h: RunningHaven, s: { cookie: string; csrf: string }, project: string): Promise<number> {
  const r = await fetch(`${h.url}/api/v2.0/projects`, {
    method: 'POST',
    headers: { Cookie: s.cookie, 'X-Harbor-CSRF-Token': s.csrf, 'Content-Type': 'application/json' },
    body: JSON.stringify({ project_name: project }),
  });
  await r.arrayBuffer();
  return r.status;
}

const keyRows = async (h: { dataDir: string; databaseUrl: string }) =>
  (await havenSql<{ name: string; value: string }>(h, 'select name, value from shared_keys order by name')).rows;

/** The one line a refused start prints (startHaven's error carries the whole output). */
async function refusedStart(opts: { dataDir?: string; env: Record<string, string> }): Promise<string> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'haven-secrets-'));
  const err = await startHaven({ ...opts, dataDir }).then(
    async (h) => {
      await h.stop();
      assert.fail('Haven started');
    },
    (e: Error) => e,
  );
  if (opts.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
  const out = /before listening:\n([\s\S]*)$/.exec(err.message)?.[1];
  assert.ok(out !== undefined, err.message);
  return out;
}

test('two instances on one PostgreSQL with the same secrets.key share the keys, kept encrypted', async () => {
  const server = await postgres();
  const databaseUrl = await server.createDatabase('secrets');
  const env = { HAVEN_DATABASE_URL: databaseUrl, HAVEN_SECRETS_KEY: secret };
  const [a, b] = await Promise.all([startHaven({ env }), startHaven({ env })]);
  try {
    const token = await tokenFrom(a);
    assert.equal(await tokenStatus(b, token), 404, 'a token minted by one instance is honoured by the other');
    assert.equal(await tokenStatus(a, await tokenFrom(b)), 404);
    assert.equal(await tokenStatus(b, `${token.slice(0, -4)}AAAA`), 401);
    const session = await login(a);
    assert.equal(await sessionWrite(b, session, 'via-session'), 201, 'the CSRF key is shared too');

    const rows = await keyRows(a);
    assert.deepEqual(rows.map((r) => r.name), ['csrf-key', 'token-signing-key']);
    for (const r of rows) {
      assert.match(r.value, sealedValue, r.name);
      assert.ok(!r.value.includes('PRIVATE KEY') && !r.value.includes('-----'), 'no PEM text in the database');
    }
    for (const h of [a, b]) assert.doesNotMatch(readFileSync(join(h.dataDir, 'haven.log'), 'utf8'), notice);
  } finally {
    await Promise.all([a.cleanup(), b.cleanup()]);
    await server.dropDatabase(databaseUrl);
  }
});

test('an embedded Haven given secrets.key later keeps its tokens and sessions, and cannot start again without the key', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'haven-secrets-'));
  const embedded = { dataDir, databaseUrl: '' };
  const env = { HAVEN_DATABASE_URL: '' };
  try {
    // Without a key: plain values, and one notice saying who can read the signing key.
    let h = await startHaven({ dataDir, env });
    const token = await tokenFrom(h);
    const session = await login(h);
    await h.stop();
    const log = readFileSync(join(dataDir, 'haven.log'), 'utf8');
    assert.equal(log.split('\n').filter((l) => notice.test(l)).length, 1, log);
    const before = await keyRows(embedded);
    assert.match(before.find((r) => r.name === 'token-signing-key')!.value, /^-----BEGIN PRIVATE KEY-----/);

    // With a key (from a file, ending in a line break): the same keys, now encrypted in place.
    const keyFile = join(dataDir, 'secret.key');
    writeFileSync(keyFile, `${secret}\n`);
    writeFileSync(join(dataDir, 'haven.log'), '');
    h = await startHaven({ dataDir, env: { ...env, HAVEN_SECRETS_KEY_FILE: keyFile } });
    assert.equal(await tokenStatus(h, token), 404, 'a token signed before the key was set is still valid');
    assert.equal(await sessionWrite(h, session, 'after-sealing'), 201, 'the portal session and its CSRF token still work');
    await h.stop();
    const after = await keyRows(embedded);
    assert.deepEqual(after.map((r) => r.name), before.map((r) => r.name));
    for (const r of after) assert.match(r.value, sealedValue, r.name);
    const sealedLog = readFileSync(join(dataDir, 'haven.log'), 'utf8');
    assert.match(sealedLog, /now encrypted/);
    assert.doesNotMatch(sealedLog, notice);

    // Without the key, or with another one: no start, one line naming secrets.key, nothing changed.
    const noKey = await refusedStart({ dataDir, env });
    assert.match(noKey, /^haven: secrets\.key: the keys in the database are encrypted \(shared_keys "[a-z-]+"\): set secrets\.key or secrets\.keyFile[^\n]*\n$/);
    const wrongKey = await refusedStart({ dataDir, env: { ...env, HAVEN_SECRETS_KEY: 'another secret, also 32 bytes long or more' } });
    assert.match(wrongKey, /^haven: secrets\.key: cannot decrypt the keys in the database \(shared_keys "[a-z-]+"\): this is not the secret key[^\n]*\n$/);
    assert.deepEqual(await keyRows(embedded), after);

    // The same secret given inline (no line break) opens them: the old token is still valid.
    h = await startHaven({ dataDir, env: { ...env, HAVEN_SECRETS_KEY: secret } });
    assert.equal(await tokenStatus(h, token), 404);
    await h.stop();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a configured auth.signingKey still wins over the key kept (encrypted) in the database', async () => {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256', privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const h = await startHaven({ env: { HAVEN_DATABASE_URL: '', HAVEN_SECRETS_KEY: secret, HAVEN_AUTH_SIGNING_KEY: pair.privateKey } });
  try {
    const token = await tokenFrom(h);
    const { payload } = await jwtVerify(token, await importSPKI(pair.publicKey, 'ES256'), { issuer: 'haven-token-issuer', audience: 'haven' });
    assert.equal(payload.sub, 'admin');
    assert.equal(await tokenStatus(h, token), 404);
    const rows = await keyRows(h);
    assert.ok(!rows.some((r) => r.name === 'token-signing-key'), 'the configured signing key is not kept in the database');
    assert.match(rows.find((r) => r.name === 'csrf-key')!.value, sealedValue);
    assert.doesNotMatch(readFileSync(join(h.dataDir, 'haven.log'), 'utf8'), notice);
  } finally {
    await h.cleanup();
  }
});

test('a secret key shorter than 32 bytes, or given twice, stops start-up naming it', async () => {
  const short = await refusedStart({ env: { HAVEN_DATABASE_URL: '', HAVEN_SECRETS_KEY: 'too short' } });
  assert.match(short, /secrets\.key/);
  assert.match(short, /at least 32 bytes/);
  const dir = mkdtempSync(join(tmpdir(), 'haven-secrets-'));
  try {
    writeFileSync(join(dir, 'k'), secret);
    const both = await refusedStart({ env: { HAVEN_DATABASE_URL: '', HAVEN_SECRETS_KEY: secret, HAVEN_SECRETS_KEY_FILE: join(dir, 'k') } });
    assert.match(both, /set secrets\.key or secrets\.keyFile, not both/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
