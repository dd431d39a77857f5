// Instances that serve one registry share the token signing key through configuration
// (auth.signingKey / auth.signingKeyFile), so a token one issued works on another (issue 8, §4).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { havenBin, startHaven, testAdminPassword, type RunningHaven } from './helpers/haven.js';
import { asAdmin, pushImage } from './helpers/oci.js';

const pem = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const shared = pem();
const keyDir = mkdtempSync(join(tmpdir(), 'haven-keys-'));
const keyFile = join(keyDir, 'signing.pem');
writeFileSync(keyFile, shared, { mode: 0o600 });

let a: RunningHaven;
let b: RunningHaven;
let c: RunningHaven;
before(async () => {
  [a, b, c] = await Promise.all([
    startHaven({ env: { HAVEN_AUTH_SIGNING_KEY: shared } }),
    startHaven({ args: ['--auth-signing-key-file', keyFile] }),
    startHaven({ env: { HAVEN_AUTH_SIGNING_KEY: pem() } }),
  ]);
});
after(async () => {
  await Promise.all([a?.cleanup(), b?.cleanup(), c?.cleanup()]);
  rmSync(keyDir, { recursive: true, force: true });
});

async function tokenFrom(h: RunningHaven, scope: string): Promise<string> {
  const r = await h.adminFetch(`${h.url}/service/token?service=haven&scope=${encodeURIComponent(scope)}`);
  assert.equal(r.status, 200);
  return ((await r.json()) as { token: string }).token;
}

const pull = (h: RunningHaven, repo: string, token: string) =>
  fetch(`${h.url}/v2/${repo}/manifests/v1`, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/vnd.oci.image.manifest.v1+json' } });

test('a token from one Haven pulls from another configured with the same signing key', async () => {
  await pushImage(asAdmin(b), 'library/shared', 'v1');
  await pushImage(asAdmin(c), 'library/shared', 'v1');
  const token = await tokenFrom(a, 'repository:library/shared:pull');
  const onB = await pull(b, 'library/shared', token);
  assert.equal(onB.status, 200, await onB.text());
  const base = await fetch(`${b.url}/v2/`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(base.status, 200);
});

test('with a different key the token is refused as invalid', async () => {
  const token = await tokenFrom(a, 'repository:library/shared:pull');
  const onC = await pull(c, 'library/shared', token);
  assert.equal(onC.status, 401);
  assert.match(onC.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
  // And the other way round: C's own tokens work on C only.
  const own = await tokenFrom(c, 'repository:library/shared:pull');
  assert.equal((await pull(c, 'library/shared', own)).status, 200);
  assert.equal((await pull(b, 'library/shared', own)).status, 401);
});

/** `haven serve` with these settings, expected to refuse to start. */
function refused(env: Record<string, string>, args: string[] = []) {
  const dataDir = join(keyDir, `never-${Math.random().toString(36).slice(2)}`);
  const r = spawnSync(process.execPath, [havenBin, 'serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, ...args], {
    encoding: 'utf8',
    timeout: 20_000,
    env: { ...process.env, HAVEN_CONFIG: '/dev/null', HAVEN_ADMIN_PASSWORD: testAdminPassword, ...env },
  });
  assert.notEqual(r.status, 0, 'it must not start');
  assert.equal(r.stderr.trim().split('\n').length, 1, `one line, not:\n${r.stderr}`);
  return r.stderr;
}

test('invalid key material stops start-up with one line naming the key', () => {
  assert.match(refused({ HAVEN_AUTH_SIGNING_KEY: 'not a key' }), /"auth\.signingKey".*EC P-256 private key/);
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  assert.match(refused({ HAVEN_AUTH_SIGNING_KEY: rsa }), /"auth\.signingKey".*EC P-256/);
  assert.match(refused({}, ['--auth-signing-key-file', join(keyDir, 'missing.pem')]), /"auth\.signingKeyFile".*cannot read .*missing\.pem: ENOENT/);
  assert.match(refused({ HAVEN_AUTH_SIGNING_KEY: shared }, ['--auth-signing-key-file', keyFile]), /"auth\.signingKey".*not both/);
  assert.match(refused({ HAVEN_AUTH_CSRF_KEY: 'short' }), /"auth\.csrfKey".*at least 32 bytes/);
  const shortFile = join(keyDir, 'csrf');
  writeFileSync(shortFile, 'tiny');
  assert.match(refused({}, ['--auth-csrf-key-file', shortFile]), /"auth\.csrfKeyFile".*at least 32 bytes/);
});
