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
