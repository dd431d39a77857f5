// HTTPS on the listener (tls.cert/tls.key) and mutual TLS (tls.clientCA + tls.clientAuth), with
// certificates this test makes with openssl: node's https client and skopeo's --cert-dir (the
// /etc/docker/certs.d layout) push and pull; a client without a certificate is refused under
// require; plain HTTP to the TLS port gets an answer that points at https.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeTestCerts, type TestCerts } from './helpers/certs.js';
import { havenBin, startHaven, testAdminPassword, type RunningHaven } from './helpers/haven.js';
import { writeTestLayout } from './helpers/oci-layout.js';
import { describeRun, run } from './helpers/run.js';
import { requireTool } from './helpers/tools.js';
import { eventually } from './helpers/eventually.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One https request with explicit trust and an optional client certificate. */
function httpsGet(url: string, opts: { ca: string; cert?: string; key?: string; auth?: string }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        ca: readFileSync(opts.ca),
        ...(opts.cert ? { cert: readFileSync(opts.cert), key: readFileSync(opts.key!) } : {}),
        headers: opts.auth ? { Authorization: opts.auth } : {},
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

let dir: string;
let certs: TestCerts;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'haven-tls-'));
  certs = makeTestCerts(dir);
});
after(() => rmSync(dir, { recursive: true, force: true }));

const tlsArgs = (c: TestCerts, extra: string[] = []) => ['--tls-cert', c.serverCert, '--tls-key', c.serverKey, ...extra];

/** `haven serve` that must refuse to start: its one-line reason. */
function startFailure(args: string[]): string {
  const data = mkdtempSync(join(tmpdir(), 'haven-tls-bad-'));
  try {
    const r = spawnSync(process.execPath, [havenBin, 'serve', '--listen', '127.0.0.1:0', '--data-dir', data, ...args], {
      env: { ...process.env, HAVEN_CONFIG: '/dev/null', HAVEN_ADMIN_PASSWORD: testAdminPassword },
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(r.status, 2, `expected exit 2 (a configuration error), got ${r.status}: ${r.stdout}${r.stderr}`);
    return r.stderr.trim();
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
}

test('bad TLS settings stop start-up with one line naming the key', () => {
  assert.match(startFailure(['--tls-cert', certs.serverCert]), /"tls\.key".*set together/);
  assert.match(startFailure(['--tls-cert', join(dir, 'nope.pem'), '--tls-key', certs.serverKey]), /"tls\.cert".*cannot read .*nope\.pem: ENOENT/);
  assert.match(startFailure(['--tls-cert', certs.serverKey, '--tls-key', certs.serverKey]), /"tls\.cert".*not a PEM certificate/);
  assert.match(startFailure(['--tls-cert', certs.serverCert, '--tls-key', certs.clientKey]), /"tls\.key".*not the private key of the certificate/);
  assert.match(startFailure(tlsArgs(certs, ['--tls-client-auth', 'require'])), /"tls\.clientCA".*needs the CA/);
  assert.match(startFailure(tlsArgs(certs, ['--tls-client-ca', certs.clientCa])), /"tls\.clientAuth".*request or require/);
  assert.match(startFailure(tlsArgs(certs, ['--tls-client-auth', 'require', '--tls-client-ca', certs.serverKey])), /"tls\.clientCA".*not a PEM certificate/);
  assert.match(startFailure(['--tls-client-auth', 'request']), /"tls\.clientAuth".*needs tls\.cert/);
  for (const line of [startFailure(['--tls-cert', certs.serverCert])]) assert.equal(line.split('\n').length, 1, line);
});

describe('HTTPS without client certificates', () => {
  let h: RunningHaven;
  before(async () => {
    h = await startHaven({ args: tlsArgs(certs) });
  });
  after(() => h?.cleanup());

  test('the listener speaks HTTPS and the token realm is https', async () => {
    assert.match(h.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const r = await httpsGet(`${h.url}/v2/`, { ca: certs.ca });
    assert.equal(r.status, 401);
    assert.equal(r.headers['www-authenticate'], `Bearer realm="${h.url}/service/token",service="haven"`);
    const ping = await httpsGet(`${h.url}/api/v2.0/ping`, { ca: certs.ca });
    assert.equal(ping.body, 'Pong');
    // An untrusted server certificate is refused by the client (it is not a trick of the client).
    await assert.rejects(httpsGet(`${h.url}/v2/`, { ca: certs.clientCa }), /self-signed|unable to verify|unable to get/);
  });

  test('plain HTTP to the TLS port is answered, pointing at https', async () => {
    const plain = h.url.replace('https://', 'http://');
    const get = await fetch(`${plain}/v2/_catalog?n=1`, { redirect: 'manual' });
    assert.equal(get.status, 308);
    assert.equal(get.headers.get('location'), `${h.url}/v2/_catalog?n=1`);
    const post = await fetch(`${plain}/v2/x/blobs/uploads/`, { method: 'POST' });
    assert.equal(post.status, 400);
    assert.match(await post.text(), /This port speaks HTTPS: use https:\/\/127\.0\.0\.1:\d+\/v2\/x\/blobs\/uploads\//);
    // And the port still serves TLS afterwards.
    assert.equal((await httpsGet(`${h.url}/v2/`, { ca: certs.ca })).status, 401);
  });

  test('connections reset before their first byte, or after a partial handshake, leave the server serving', async () => {
    const { port } = new URL(h.url);
    for (const first of [null, Buffer.from([0x16, 0x03, 0x01])]) {
      await new Promise<void>((resolve, reject) => {
        const s = connect(Number(port), '127.0.0.1', () => {
          if (first) s.write(first);
          setImmediate(() => {
            s.resetAndDestroy();
            resolve();
          });
        });
        s.on('error', reject);
      });
    }
    await eventually(async () => assert.equal((await httpsGet(`${h.url}/v2/`, { ca: certs.ca })).status, 401));
    assert.equal(h.proc.exitCode, null, h.output());
  });
});

describe('mutual TLS, clientAuth require', () => {
  let h: RunningHaven;
  let work: string;
  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'haven-mtls-'));
    // No projects: the helper creates them with fetch, which has no client certificate. The
    // library project Haven makes at first start is the push target.
    h = await startHaven({ args: tlsArgs(certs, ['--tls-client-ca', certs.clientCa, '--tls-client-auth', 'require']) });
  });
  after(async () => {
    await h?.cleanup();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('a client without a certificate, or with one from another CA, is refused at the handshake', async () => {
    await assert.rejects(httpsGet(`${h.url}/v2/`, { ca: certs.ca }), /certificate required|alert|socket hang up|ECONNRESET/);
    await assert.rejects(httpsGet(`${h.url}/v2/`, { ca: certs.ca, cert: certs.rogueCert, key: certs.rogueKey }), /unknown ca|alert|socket hang up|ECONNRESET/);
    const ok = await httpsGet(`${h.url}/v2/`, { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey });
    assert.equal(ok.status, 401);
  });

  test('skopeo pushes and pulls with --cert-dir (certs.d layout) and is refused without it', async (t) => {
    if (!requireTool(t, 'skopeo')) return;
    const certDir = join(work, 'certs.d');
    mkdirSync(certDir);
    copyFileSync(certs.ca, join(certDir, 'ca.crt'));
    copyFileSync(certs.clientCert, join(certDir, 'client.cert'));
    copyFileSync(certs.clientKey, join(certDir, 'client.key'));
    const caOnly = join(work, 'ca-only');
    mkdirSync(caOnly);
    copyFileSync(certs.ca, join(caOnly, 'ca.crt'));
    const layout = writeTestLayout(join(work, 'layout'), { tag: 'v1' });
    const creds = `admin:${h.admin.password}`;
    const ref = `docker://${h.host}/library/app:v1`;
    const skopeo = (args: string[]) => run('skopeo', args, { timeoutMs: 60_000, env: { REGISTRY_AUTH_FILE: join(work, 'no-auth.json') } });
    writeFileSync(join(work, 'no-auth.json'), '{"auths":{}}');

    const push = ['copy', '--all', '--dest-cert-dir', certDir, '--dest-creds', creds, `oci:${layout.dir}:v1`, ref];
    const pushed = await skopeo(push);
    assert.equal(pushed.code, 0, describeRun('skopeo', push, pushed));
    const inspect = ['inspect', '--raw', '--cert-dir', certDir, '--creds', creds, ref];
    const raw = await skopeo(inspect);
    assert.equal(raw.code, 0, describeRun('skopeo', inspect, raw));
    assert.equal(JSON.parse(raw.stdout.toString()).manifests.length, layout.images.length);
    const out = join(work, 'out');
    const pull = ['copy', '--all', '--src-cert-dir', certDir, '--src-creds', creds, ref, `oci:${out}:v1`];
    const pulled = await skopeo(pull);
    assert.equal(pulled.code, 0, describeRun('skopeo', pull, pulled));
    for (const img of layout.images) {
      for (const l of img.layers) assert.deepEqual(readFileSync(join(out, 'blobs/sha256', l.digest.slice(7))), l.bytes);
    }

    const refused = ['inspect', '--raw', '--cert-dir', caOnly, '--creds', creds, ref];
    const r = await skopeo(refused);
    assert.notEqual(r.code, 0, describeRun('skopeo', refused, r));
    assert.match(r.stderr, /certificate required|remote error|tls|connection reset/i);
  });
});

describe('mutual TLS, clientAuth request', () => {
  let h: RunningHaven;
  before(async () => {
    h = await startHaven({ args: tlsArgs(certs, ['--tls-client-ca', certs.clientCa, '--tls-client-auth', 'request']) });
  });
  after(() => h?.cleanup());

  test('a certificate is optional, but one that is given must come from the client CA', async () => {
    assert.equal((await httpsGet(`${h.url}/v2/`, { ca: certs.ca })).status, 401);
    assert.equal((await httpsGet(`${h.url}/v2/`, { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey })).status, 401);
    await assert.rejects(httpsGet(`${h.url}/v2/`, { ca: certs.ca, cert: certs.rogueCert, key: certs.rogueKey }), /socket hang up|ECONNRESET|alert/);
  });
});

describe('certificate renewal', () => {
  let h: RunningHaven;
  let live: string;
  before(async () => {
    live = mkdtempSync(join(tmpdir(), 'haven-tls-live-'));
    copyFileSync(certs.serverCert, join(live, 'tls.crt'));
    copyFileSync(certs.serverKey, join(live, 'tls.key'));
    h = await startHaven({ args: ['--tls-cert', join(live, 'tls.crt'), '--tls-key', join(live, 'tls.key')] });
  });
  after(async () => {
    await h?.cleanup();
    if (live) rmSync(live, { recursive: true, force: true });
  });

  test('replaced certificate files are served without a restart; a broken replacement keeps the last good one', async () => {
    assert.equal((await httpsGet(`${h.url}/v2/`, { ca: certs.ca })).status, 401);
    const renewed = makeTestCerts(mkdtempSync(join(tmpdir(), 'haven-tls-renewed-')));
    writeFileSync(join(live, 'tls.key'), readFileSync(renewed.serverKey));
    writeFileSync(join(live, 'tls.crt'), readFileSync(renewed.serverCert));
    await eventually(async () => assert.equal((await httpsGet(`${h.url}/v2/`, { ca: renewed.ca })).status, 401), { timeoutMs: 20_000, intervalMs: 250 });
    await assert.rejects(httpsGet(`${h.url}/v2/`, { ca: certs.ca }), /self-signed|unable to verify|unable to get/);

    writeFileSync(join(live, 'tls.crt'), 'not a certificate\n');
    await eventually(() => assert.match(readFileSync(join(h.dataDir, 'haven.log'), 'utf8'), /could not be loaded; still serving the previous certificate/), { timeoutMs: 20_000, intervalMs: 250 });
    assert.equal((await httpsGet(`${h.url}/v2/`, { ca: renewed.ca })).status, 401);
    rmSync(join(renewed.ca, '..'), { recursive: true, force: true });
  });
});

describe('HTTPS with externalUrl', () => {
  let h: RunningHaven;
  const external = 'https://registry.example.test:8443';
  before(async () => {
    h = await startHaven({ args: tlsArgs(certs, ['--external-url', external]) });
  });
  after(() => h?.cleanup());

  test('the token realm and the plain-HTTP redirect use externalUrl', async () => {
    const r = await httpsGet(`${h.url}/v2/`, { ca: certs.ca });
    assert.equal(r.headers['www-authenticate'], `Bearer realm="${external}/service/token",service="haven"`);
    const plain = await fetch(`${h.url.replace('https://', 'http://')}/v2/?x=1`, { redirect: 'manual' });
    assert.equal(plain.status, 308);
    assert.equal(plain.headers.get('location'), `${external}/v2/?x=1`);
  });
});
