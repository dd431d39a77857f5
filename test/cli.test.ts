import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { havenBin } from './helpers/haven.js';

const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [havenBin, ...args], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, HAVEN_CONFIG: '/dev/null', ...env } });

test('haven with no command prints usage listing serve and its flags', () => {
  const r = run([]);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /serve/);
  assert.match(r.stdout, /--uploads-purge-age/);
});

test('an unknown command exits 2', () => {
  const r = run(['frobnicate']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown command "frobnicate"/);
});

test('invalid configuration stops startup naming the key and the problem', () => {
  const bad = run(['serve', '--listen', 'not-an-address']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /invalid configuration at "listen".*host:port/);

  const env = run(['serve'], { HAVEN_UPLOADS_PURGE_AGE: 'whenever' });
  assert.equal(env.status, 2);
  assert.match(env.stderr, /"uploads.purgeAge".*HAVEN_UPLOADS_PURGE_AGE.*not a duration/);

  const dir = mkdtempSync(join(tmpdir(), 'haven-cli-'));
  writeFileSync(join(dir, 'haven.yml'), 'log:\n  levl: info\n');
  const file = run(['serve', '--config', join(dir, 'haven.yml')]);
  assert.equal(file.status, 2);
  assert.match(file.stderr, /"log".*unknown key\(s\) levl/);

  const flag = run(['serve', '--no-such-flag']);
  assert.equal(flag.status, 2);
  assert.match(flag.stderr, /no-such-flag/);
});

test('first start creates admin with a generated password, printed once and kept in a 0600 file', async () => {
  const { startHaven } = await import('./helpers/haven.js');
  const { readFileSync, statSync } = await import('node:fs');
  const h = await startHaven({ env: { HAVEN_ADMIN_PASSWORD: '' } });
  try {
    const m = /admin password \(generated, shown once; also in (.+)\): (\S+)/.exec(h.output());
    assert.ok(m, h.output());
    assert.equal(m[1], join(h.dataDir, 'admin-password'));
    assert.equal(readFileSync(m[1], 'utf8').trim(), m[2]);
    assert.equal(statSync(m[1]).mode & 0o777, 0o600);
    assert.match(m[2]!, /[A-Z]/);
    assert.match(m[2]!, /[a-z]/);
    assert.match(m[2]!, /[0-9]/);
    assert.ok(m[2]!.length >= 16);
    await h.stop();
    const again = await startHaven({ dataDir: h.dataDir, env: { HAVEN_ADMIN_PASSWORD: '' } });
    assert.doesNotMatch(again.output(), /admin password/);
    assert.doesNotMatch(readFileSync(join(h.dataDir, 'haven.log'), 'utf8'), new RegExp(m[2]!));
    await again.stop();
  } finally {
    await h.cleanup();
  }
});

test('a configured admin password is used, never printed', async () => {
  const { startHaven } = await import('./helpers/haven.js');
  const { existsSync } = await import('node:fs');
  const h = await startHaven({ env: { HAVEN_ADMIN_PASSWORD: 'Sup3rSecretPass' } });
  try {
    assert.doesNotMatch(h.output(), /Sup3rSecretPass/);
    assert.match(h.output(), /admin password: the one set in adminPassword/);
    assert.equal(existsSync(join(h.dataDir, 'admin-password')), false);
  } finally {
    await h.cleanup();
  }
});

test('library is created public at first start, and stays deleted once an admin deletes it', async () => {
  const { startHaven } = await import('./helpers/haven.js');
  let h = await startHaven();
  const dataDir = h.dataDir;
  try {
    const lib = await fetch(`${h.url}/api/v2.0/projects/library`, { headers: { 'X-Is-Resource-Name': 'true', Authorization: '' } });
    assert.equal(lib.status, 200);
    assert.equal(((await lib.json()) as { metadata: { public: string } }).metadata.public, 'true');
    assert.equal((await fetch(`${h.url}/api/v2.0/projects/library`, { method: 'DELETE', headers: { 'X-Is-Resource-Name': 'true' } })).status, 200);
    await h.stop();
    h = await startHaven({ dataDir });
    assert.equal((await fetch(`${h.url}/api/v2.0/projects/library`, { headers: { 'X-Is-Resource-Name': 'true' } })).status, 404);
  } finally {
    await h.stop();
    (await import('node:fs')).rmSync(dataDir, { recursive: true, force: true });
  }
});
