import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { envName, flagName } from '../src/config/load.js';
import { configKeys } from '../src/config/schema.js';
import { havenBin, startHaven } from './helpers/haven.js';

const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [havenBin, ...args], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, HAVEN_CONFIG: '/dev/null', ...env } });

test('haven with no command prints usage listing the commands; haven serve --help lists its flags', () => {
  const r = run([]);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /serve/);
  assert.match(r.stdout, /user/);
  assert.match(run(['serve', '--help']).stdout, /--uploads-purge-age/);
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
    const lib = await fetch(`${h.url}/api/v2.0/projects/library`, { headers: { 'X-Is-Resource-Name': 'true' } });
    assert.equal(lib.status, 200);
    assert.equal(((await lib.json()) as { metadata: { public: string } }).metadata.public, 'true');
    assert.equal((await h.adminFetch(`${h.url}/api/v2.0/projects/library`, { method: 'DELETE', headers: { 'X-Is-Resource-Name': 'true' } })).status, 200);
    await h.stop();
    h = await startHaven({ dataDir });
    assert.equal((await h.adminFetch(`${h.url}/api/v2.0/projects/library`, { headers: { 'X-Is-Resource-Name': 'true' } })).status, 404);
  } finally {
    await h.stop();
    (await import('node:fs')).rmSync(dataDir, { recursive: true, force: true });
  }
});

/** A refusal the user can act on: one line on stderr, no stack trace, no exception name. */
function assertOneLine(stderr: string, pattern: RegExp) {
  assert.match(stderr, pattern);
  assert.equal(stderr.trim().split('\n').length, 1, `one line, not:\n${stderr}`);
  assert.doesNotMatch(stderr, /\n\s+at |RangeError|TypeError|Error:/, stderr);
}

test('a bad listen port or trustProxy stops startup with one line naming the key, before any data dir is made', () => {
  const base = mkdtempSync(join(tmpdir(), 'haven-cli-'));
  const dataDir = join(base, 'data');
  try {
    const port = run(['serve', '--listen', '127.0.0.1:99999', '--data-dir', dataDir]);
    assert.equal(port.status, 2);
    assertOneLine(port.stderr, /^haven: invalid configuration at "listen" \(env HAVEN_LISTEN, flag --listen\): port 99999 is out of range \(0-65535\)$/m);

    const proxy = run(['serve', '--trust-proxy', 'maybe', '--data-dir', dataDir]);
    assert.equal(proxy.status, 2);
    assertOneLine(proxy.stderr, /^haven: invalid configuration at "trustProxy" .*--trust-proxy.*: must be true, false or a comma-separated list .* not "maybe"$/m);

    const cidr = run(['serve', '--data-dir', dataDir], { HAVEN_TRUST_PROXY: '10.0.0.0/8,10.1.0.0/40' });
    assert.equal(cidr.status, 2);
    assertOneLine(cidr.stderr, /"trustProxy".*HAVEN_TRUST_PROXY.*not "10\.1\.0\.0\/40"/);

    assert.equal(existsSync(dataDir), false, 'a config error leaves no data dir behind');
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

/** Runs `haven serve` expecting it to refuse: resolves with its exit code and output. */
function serveRefused(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [havenBin, 'serve', ...args], { env: { ...process.env, HAVEN_CONFIG: '/dev/null', HAVEN_ADMIN_PASSWORD: 'Admin12345' } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`haven serve ${args.join(' ')} did not exit within 20 s:\n${stdout}${stderr}`));
    }, 20_000);
    p.once('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

test('a port in use stops startup with one line naming the port', async () => {
  const first = await startHaven();
  const otherDir = mkdtempSync(join(tmpdir(), 'haven-cli-'));
  try {
    const second = await serveRefused(['--listen', first.host, '--data-dir', otherDir]);
    assert.equal(second.status, 1, second.stderr);
    const port = first.host.split(':')[1];
    assertOneLine(second.stderr, new RegExp(`^haven: cannot listen on ${first.host.replace(/\./g, '\\.')} \\(listen\\): port ${port} is already in use`, 'm'));
    assert.equal((await fetch(`${first.url}/api/v2.0/ping`)).status, 200, 'the first keeps serving');
  } finally {
    await first.cleanup();
    rmSync(otherDir, { recursive: true, force: true });
  }
});

test('a second serve on the same data dir is refused naming the pid of the first, which keeps serving', async () => {
  const first = await startHaven();
  try {
    const second = await serveRefused(['--listen', '127.0.0.1:0', '--data-dir', first.dataDir]);
    assert.equal(second.status, 1, second.stderr);
    assertOneLine(second.stderr, new RegExp(`^haven: data directory ${first.dataDir.replace(/[.\\/]/g, '\\$&')} is in use by another haven serve \\(pid ${first.proc.pid}\\)`, 'm'));
    assert.doesNotMatch(second.stdout, /listening/);
    assert.equal((await fetch(`${first.url}/api/v2.0/ping`)).status, 200, 'the first keeps serving');
    assert.equal((await first.adminFetch(`${first.url}/api/v2.0/users/current`)).status, 200, 'and its database is untouched');

    // Released on exit: a clean stop frees the dir, and so does a crash (the kernel drops the lock).
    await first.stop();
    const again = await startHaven({ dataDir: first.dataDir });
    await again.kill();
    const afterCrash = await startHaven({ dataDir: first.dataDir });
    assert.equal((await fetch(`${afterCrash.url}/api/v2.0/ping`)).status, 200);
    await afterCrash.stop();
  } finally {
    await first.cleanup();
  }
});

test('--help works for every command and describes every flag; --version prints the version', () => {
  const serve = run(['serve', '--help']);
  assert.equal(serve.status, 0, serve.stderr);
  assert.match(serve.stdout, /^Usage: haven serve/);
  for (const key of configKeys) {
    const line = serve.stdout.split('\n').find((l) => l.startsWith(`  --${flagName(key)} <value>`));
    assert.ok(line, `--${flagName(key)} is in haven serve --help`);
    assert.match(line, /<value>\s+\S.{10,}/, `--${flagName(key)} has a description`);
    assert.match(serve.stdout, new RegExp(`env ${envName(key)}\\b`));
  }
  assert.match(serve.stdout, /--config <file>/);
  assert.equal(run(['serve', '-h']).stdout, serve.stdout);

  for (const args of [['user', '--help'], ['user', 'create', '--help'], ['user', 'reset-password', '-h']]) {
    const r = run(args);
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stdout, /haven user create <username>/);
    assert.match(r.stdout, /--data-dir <dir>\s+\S/);
    assert.match(r.stdout, /--password-stdin\s+\S/);
  }

  const top = run(['--help']);
  assert.equal(top.status, 0);
  assert.match(top.stdout, /serve .*haven serve --help/);
  assert.match(top.stdout, /--version/);

  const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { version: string };
  const version = run(['--version']);
  assert.equal(version.status, 0);
  assert.equal(version.stdout, `haven ${pkg.version}\n`);
});

test('the haven command starts with 16 libuv threads, so GC unlinks do not queue pushes behind them; UV_THREADPOOL_SIZE wins', async () => {
  // libuv starts all its threads at once when the pool is first used (loading the modules), so
  // the process's thread count shows the pool's size: about 11 threads with the default 4.
  const threads = (pid: number) => readdirSync(`/proc/${pid}/task`).length;
  const wide = await startHaven();
  try {
    assert.ok(threads(wide.proc.pid!) >= 20, `${threads(wide.proc.pid!)} threads`);
  } finally {
    await wide.cleanup();
  }
  const narrow = await startHaven({ env: { UV_THREADPOOL_SIZE: '4' } });
  try {
    assert.ok(threads(narrow.proc.pid!) < 16, `${threads(narrow.proc.pid!)} threads with UV_THREADPOOL_SIZE=4`);
  } finally {
    await narrow.cleanup();
  }
});
