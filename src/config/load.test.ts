import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, envName, flagName, loadConfig } from './load.js';
import { configKeys } from './schema.js';

const noFile = { file: '/dev/null', env: {} };

test('every key has a default', () => {
  const c = loadConfig(noFile);
  assert.equal(c.listen, '0.0.0.0:5000');
  assert.equal(c.dataDir, './data');
  assert.equal(c.externalUrl, '');
  assert.equal(c.log.level, 'info');
  assert.equal(c.uploads.purgeAge, 24 * 3_600_000);
});

test('env and flag names follow the key path', () => {
  assert.equal(envName('uploads.purgeAge'), 'HAVEN_UPLOADS_PURGE_AGE');
  assert.equal(flagName('uploads.purgeAge'), 'uploads-purge-age');
  assert.equal(envName('dataDir'), 'HAVEN_DATA_DIR');
});

test('file < env < flags', () => {
  const dir = mkdtempSync(join(tmpdir(), 'haven-config-'));
  const file = join(dir, 'haven.yml');
  writeFileSync(file, 'listen: 127.0.0.1:6000\nlog:\n  level: warn\nuploads:\n  purgeAge: 2h\n');
  const fromFile = loadConfig({ file, env: {} });
  assert.equal(fromFile.listen, '127.0.0.1:6000');
  assert.equal(fromFile.uploads.purgeAge, 7_200_000);
  const fromEnv = loadConfig({ file, env: { HAVEN_LOG_LEVEL: 'debug', HAVEN_LISTEN: '127.0.0.1:7000' } });
  assert.equal(fromEnv.log.level, 'debug');
  assert.equal(fromEnv.listen, '127.0.0.1:7000');
  const fromFlags = loadConfig({ file, env: { HAVEN_LISTEN: '127.0.0.1:7000' }, flags: { listen: '[::1]:8000' } });
  assert.equal(fromFlags.listen, '[::1]:8000');
});

test('invalid values stop startup with the key and the problem', () => {
  assert.throws(() => loadConfig({ ...noFile, flags: { listen: 'nonsense' } }), (e: Error) => {
    assert.ok(e instanceof ConfigError);
    assert.match(e.message, /"listen".*HAVEN_LISTEN.*host:port/);
    return true;
  });
  assert.throws(() => loadConfig({ ...noFile, env: { HAVEN_UPLOADS_PURGE_AGE: 'soon' } }), /"uploads.purgeAge".*not a duration/);
  assert.throws(() => loadConfig({ ...noFile, env: { HAVEN_LOG_LEVEL: 'loud' } }), /"log.level"/);
  assert.throws(() => loadConfig({ ...noFile, env: { HAVEN_EXTERNAL_URL: 'ftp://x' } }), /"externalUrl"/);
  const dir = mkdtempSync(join(tmpdir(), 'haven-config-'));
  const file = join(dir, 'haven.yml');
  writeFileSync(file, 'listn: 1\n');
  assert.throws(() => loadConfig({ file, env: {} }), /unknown key\(s\) listn/);
  writeFileSync(file, 'listen: [unclosed\n');
  assert.throws(() => loadConfig({ file, env: {} }), /not valid YAML/);
  assert.throws(() => loadConfig({ file: join(dir, 'missing.yml'), env: {} }), /cannot read config file/);
});

test('connection limits and metrics settings: defaults, durations, pairs', () => {
  const c = loadConfig(noFile);
  assert.deepEqual(c.http, { headersTimeout: 30_000, bodyIdleTimeout: 60_000, keepAliveTimeout: 75_000, maxConnectionsPerIp: 256 });
  assert.deepEqual(c.metrics, { listen: '', username: '', password: '', cacheTime: 10_000 });
  assert.equal(c.audit.pulls, true);
  const set = loadConfig({ ...noFile, env: { HAVEN_HTTP_BODY_IDLE_TIMEOUT: '2m', HAVEN_HTTP_MAX_CONNECTIONS_PER_IP: '0', HAVEN_AUDIT_PULLS: 'false' }, flags: { 'http-headers-timeout': '5s' } });
  assert.equal(set.http.bodyIdleTimeout, 120_000);
  assert.equal(set.http.headersTimeout, 5_000);
  assert.equal(set.http.maxConnectionsPerIp, 0);
  assert.equal(set.audit.pulls, false);
  assert.throws(() => loadConfig({ ...noFile, env: { HAVEN_HTTP_KEEP_ALIVE_TIMEOUT: '0s' } }), /"http.keepAliveTimeout".*more than 0/);
  assert.throws(() => loadConfig({ ...noFile, env: { HAVEN_HTTP_MAX_CONNECTIONS_PER_IP: '-1' } }), /"http.maxConnectionsPerIp"/);
  assert.throws(() => loadConfig({ ...noFile, env: { HAVEN_METRICS_LISTEN: 'nonsense' } }), /"metrics.listen".*host:port/);
  assert.throws(() => loadConfig({ ...noFile, env: { HAVEN_METRICS_PASSWORD: 'x' } }), /"metrics.username".*together/);
  assert.equal(loadConfig({ ...noFile, env: { HAVEN_METRICS_LISTEN: '127.0.0.1:9090' } }).metrics.listen, '127.0.0.1:9090');
});

test('listen: the port must be 0..65535', () => {
  assert.equal(loadConfig({ ...noFile, flags: { listen: '127.0.0.1:65535' } }).listen, '127.0.0.1:65535');
  assert.equal(loadConfig({ ...noFile, flags: { listen: '[::1]:0' } }).listen, '[::1]:0');
  assert.throws(() => loadConfig({ ...noFile, flags: { listen: '127.0.0.1:99999' } }), (e: Error) => e instanceof ConfigError && /"listen".*port 99999 is out of range \(0-65535\)/.test(e.message));
  assert.throws(() => loadConfig({ ...noFile, flags: { listen: '127.0.0.1:65536' } }), ConfigError);
});

test('trustProxy: true, false, or a list of addresses, CIDRs and proxy-addr range names', () => {
  const tp = (v: string) => loadConfig({ ...noFile, flags: { 'trust-proxy': v } }).trustProxy;
  assert.equal(tp('true'), true);
  assert.equal(tp('false'), false);
  assert.equal(tp(''), false);
  assert.deepEqual(tp('10.0.0.0/8, 192.168.1.7,::1,fd00::/8,loopback'), ['10.0.0.0/8', '192.168.1.7', '::1', 'fd00::/8', 'loopback']);
  for (const bad of ['maybe', 'yes', '10.0.0.0/33', '300.1.1.1', '::1/129', '10.0.0.1,nope', ',']) {
    assert.throws(() => tp(bad), (e: Error) => e instanceof ConfigError && /"trustProxy".*--trust-proxy.*must be true, false or a comma-separated list/.test(e.message), bad);
  }
  const dir = mkdtempSync(join(tmpdir(), 'haven-config-'));
  writeFileSync(join(dir, 'haven.yml'), 'trustProxy: [10.0.0.1, 10.0.0.2]\n');
  assert.deepEqual(loadConfig({ file: join(dir, 'haven.yml'), env: {} }).trustProxy, ['10.0.0.1', '10.0.0.2']);
});

test('the keys that get a variable and a flag are the leaves of the schema, found by walking it', () => {
  const defaults = loadConfig(noFile) as unknown as Record<string, unknown>;
  const leaves = (o: Record<string, unknown>, prefix = ''): string[] =>
    Object.entries(o).flatMap(([k, v]) =>
      typeof v === 'object' && v !== null && !Array.isArray(v) && k !== 'concurrency' ? leaves(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`],
    );
  // jobs.concurrency is a mapping, one key (TYPE=n pairs in its variable), not an object of keys.
  assert.deepEqual([...configKeys].sort(), leaves(defaults).sort());
  assert.ok(configKeys.includes('auth.signingKeyFile') && !configKeys.includes('auth'));
  const pem = join(mkdtempSync(join(tmpdir(), 'haven-keys-')), 'k.pem');
  writeFileSync(pem, '-----BEGIN PRIVATE KEY-----\nbm9wZQ==\n-----END PRIVATE KEY-----\n');
  assert.throws(() => loadConfig({ ...noFile, env: { HAVEN_AUTH_SIGNING_KEY_FILE: pem } }), /"auth\.signingKeyFile" \(env HAVEN_AUTH_SIGNING_KEY_FILE, flag --auth-signing-key-file\): .*EC P-256/);
});

test('jobs.concurrency: TYPE=n pairs in a variable, a mapping in haven.yml, a clear line otherwise', () => {
  assert.deepEqual(loadConfig(noFile).jobs.concurrency, {});
  assert.deepEqual(loadConfig({ ...noFile, env: { HAVEN_JOBS_CONCURRENCY: 'RETENTION=4, WEBHOOK=8' } }).jobs.concurrency, { RETENTION: 4, WEBHOOK: 8 });
  const dir = mkdtempSync(join(tmpdir(), 'haven-config-'));
  const file = join(dir, 'haven.yml');
  writeFileSync(file, 'jobs:\n  concurrency:\n    WEBHOOK: 6\n');
  assert.deepEqual(loadConfig({ file, env: {} }).jobs.concurrency, { WEBHOOK: 6 });
  assert.throws(() => loadConfig({ ...noFile, env: { HAVEN_JOBS_CONCURRENCY: 'RETENTION' } }), /"jobs.concurrency.RETENTION": a count of tasks, as in RETENTION=4/);
  assert.throws(() => loadConfig({ ...noFile, env: { HAVEN_JOBS_CONCURRENCY: 'WEBHOOK=0' } }), /"jobs.concurrency.WEBHOOK"/);
  assert.throws(() => loadConfig({ ...noFile, env: { HAVEN_JOBS_CONCURRENCY: 'webhook=2' } }), /"jobs.concurrency.webhook"|"jobs.concurrency".*a job type/);
});
