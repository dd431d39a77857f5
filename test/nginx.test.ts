// Pulls through Debian's nginx (test/backends/nginx.ts, the configuration of deploy/nginx), with
// and without storage.filesystem.accelRedirect: blob bytes and digests, Range, the headers
// clients rely on; with it, Haven answers X-Accel-Redirect and no body, nginx sends the file, and
// the internal location is not reachable from outside.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { nginxBin, nginxInstalled, startNginx, type RunningNginx } from './backends/nginx.js';
import { makeTestCerts } from './helpers/certs.js';
import { startHaven, type RunningHaven } from './helpers/haven.js';
import { pushImage, sha256, type Registry } from './helpers/oci.js';
import { writeTestLayout } from './helpers/oci-layout.js';
import { describeRun, run } from './helpers/run.js';
import { requireTool } from './helpers/tools.js';

const accelPrefix = '/_haven_blobs/';

function requireNginx(): boolean {
  if (nginxInstalled()) return true;
  if (process.env.CI) throw new Error('nginx is required in CI but is not installed');
  return false;
}

test('the example configuration deploy/nginx/haven.conf passes nginx -t', { skip: !requireNginx() && 'nginx is not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'haven-nginx-example-'));
  try {
    const certs = makeTestCerts(dir);
    const example = readFileSync(join(import.meta.dirname, '../deploy/nginx/haven.conf'), 'utf8');
    assert.match(example, /internal;/);
    assert.match(example, /client_max_body_size 0;/);
    assert.match(example, /proxy_request_buffering off;/);
    mkdirSync(join(dir, 'storage'));
    const conf = example
      .replace('/etc/nginx/tls/registry.crt', certs.serverCert)
      .replace('/etc/nginx/tls/registry.key', certs.serverKey)
      .replace('/var/lib/haven/storage/', `${join(dir, 'storage')}/`);
    writeFileSync(join(dir, 'haven.conf'), conf);
    writeFileSync(join(dir, 'main.conf'), `pid ${dir}/nginx.pid;\nerror_log ${dir}/error.log;\nevents {}\nhttp { include ${dir}/haven.conf; }\n`);
    const r = spawnSync(nginxBin, ['-t', '-p', dir, '-c', join(dir, 'main.conf')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /test is successful/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('nginx spreads requests over several Havens round robin', { skip: !requireNginx() && 'nginx is not installed' }, async () => {
  const havens = [await startHaven(), await startHaven()];
  const nginx = await startNginx({ upstreams: havens.map((x) => x.host) });
  try {
    for (let i = 0; i < 6; i++) {
      const r = await fetch(`${nginx.url}/api/v2.0/ping`);
      assert.equal(await r.text(), 'Pong');
    }
    for (const x of havens) {
      const text = await (await fetch(`${x.url}/metrics`)).text();
      const pings = Number(/^harbor_core_http_request_total\{method="GET",code="200",operation="getPing"\} (\d+)$/m.exec(text)?.[1] ?? 0);
      assert.equal(pings, 3, `each Haven answered half the pings:\n${nginx.config}`);
    }
  } finally {
    await nginx.stop();
    for (const x of havens) await x.cleanup();
  }
});

for (const accel of [false, true]) {
  describe(`pull through nginx ${accel ? 'with' : 'without'} accelRedirect`, { skip: !requireNginx() && 'nginx is not installed' }, () => {
    let h: RunningHaven;
    let nginx: RunningNginx;
    let reg: Registry;
    before(async () => {
      h = await startHaven({ projects: ['ng'], args: ['--trust-proxy', 'loopback', ...(accel ? ['--storage-filesystem-accel-redirect', accelPrefix] : [])] });
      nginx = await startNginx({ upstreams: [h.host], ...(accel ? { accel: { prefix: accelPrefix, storageDir: join(h.dataDir, 'storage') } } : {}) });
      reg = { url: nginx.url, headers: h.asAdmin };
    });
    after(async () => {
      await nginx?.stop();
      await h?.cleanup();
    });

    test('blobs and manifests pulled through nginx are the bytes pushed, with their headers; Range works', async () => {
      const img = await pushImage(reg, 'ng/app', 'v1', 2, 300_000);
      for (const layer of img.layers) {
        const r = await fetch(`${nginx.url}/v2/ng/app/blobs/${layer.digest}`, { headers: h.asAdmin });
        assert.equal(r.status, 200, nginx.errors());
        const bytes = Buffer.from(await r.arrayBuffer());
        assert.equal(sha256(bytes), layer.digest);
        assert.equal(r.headers.get('docker-content-digest'), layer.digest);
        assert.equal(r.headers.get('content-length'), String(layer.size));
        assert.equal(r.headers.get('content-type'), 'application/octet-stream');
        assert.equal(r.headers.get('etag'), `"${layer.digest}"`);
        assert.equal(r.headers.get('x-accel-redirect'), null, 'nginx never shows the internal path');
      }
      const layer = img.layers[0]!;
      const part = await fetch(`${nginx.url}/v2/ng/app/blobs/${layer.digest}`, { headers: { ...h.asAdmin, Range: 'bytes=1000-199999' } });
      assert.equal(part.status, 206);
      assert.equal(part.headers.get('content-range'), `bytes 1000-199999/${layer.size}`);
      assert.deepEqual(Buffer.from(await part.arrayBuffer()), layer.bytes.subarray(1000, 200000));
      const bad = await fetch(`${nginx.url}/v2/ng/app/blobs/${layer.digest}`, { headers: { ...h.asAdmin, Range: `bytes=${layer.size + 10}-` } });
      assert.equal(bad.status, 416);
      await bad.arrayBuffer();

      const m = await fetch(`${nginx.url}/v2/ng/app/manifests/v1`, { headers: { ...h.asAdmin, Accept: 'application/vnd.oci.image.manifest.v1+json' } });
      assert.equal(m.status, 200);
      assert.equal(sha256(Buffer.from(await m.arrayBuffer())), img.digest);
      // Without credentials nothing is sent, file or not.
      const anon = await fetch(`${nginx.url}/v2/ng/app/blobs/${layer.digest}`);
      assert.equal(anon.status, 401);
      assert.match(await anon.text(), /UNAUTHORIZED/);
    });

    if (accel) {
      test('Haven answers X-Accel-Redirect, with no body, only to its trusted proxy; the internal location is closed to clients', async () => {
        const img = await pushImage(reg, 'ng/direct', 'v1', 1, 5000);
        const digest = img.layers[0]!.digest;
        // As nginx asks: from the trusted peer, naming the client it forwards for.
        const proxied = await fetch(`${h.url}/v2/ng/direct/blobs/${digest}`, { headers: { ...h.asAdmin, 'X-Forwarded-For': '192.0.2.7' } });
        assert.equal(proxied.status, 200);
        const hex = digest.slice('sha256:'.length);
        assert.equal(proxied.headers.get('x-accel-redirect'), `${accelPrefix}blobs/sha256/${hex.slice(0, 2)}/${hex}`);
        assert.equal(proxied.headers.get('docker-content-digest'), digest);
        assert.equal((await proxied.arrayBuffer()).byteLength, 0);
        // A client that reaches Haven directly gets the bytes themselves, never an empty answer.
        const direct = await fetch(`${h.url}/v2/ng/direct/blobs/${digest}`, { headers: h.asAdmin });
        assert.equal(direct.headers.get('x-accel-redirect'), null);
        assert.equal(sha256(Buffer.from(await direct.arrayBuffer())), digest);

        for (const path of [`${accelPrefix}blobs/sha256/${hex.slice(0, 2)}/${hex}`, `${accelPrefix}../haven.db`, `${accelPrefix}`]) {
          const r = await fetch(`${nginx.url}${path}`, { headers: h.asAdmin });
          assert.notEqual(r.status, 200, path);
          assert.ok(r.status === 404 || r.status === 400, `${path}: ${r.status}`);
          assert.doesNotMatch(Buffer.from(await r.arrayBuffer()).toString('latin1'), /SQLite format/);
        }
      });

      test('skopeo copies an image in and out through nginx with accelRedirect', async (t) => {
        if (!requireTool(t, 'skopeo')) return;
        const work = mkdtempSync(join(tmpdir(), 'haven-nginx-skopeo-'));
        try {
          const layout = writeTestLayout(join(work, 'layout'), { tag: 'v1' });
          const auth = join(work, 'auth.json');
          writeFileSync(auth, JSON.stringify({ auths: { [nginx.host]: { auth: Buffer.from(`admin:${h.admin.password}`).toString('base64') } } }));
          const skopeo = async (args: string[]) => {
            const r = await run('skopeo', args, { timeoutMs: 60_000, env: { REGISTRY_AUTH_FILE: auth } });
            assert.equal(r.code, 0, `${describeRun('skopeo', args, r)}\n${nginx.errors()}`);
          };
          const ref = `docker://${nginx.host}/ng/multi:v1`;
          await skopeo(['copy', '--all', '--dest-tls-verify=false', `oci:${layout.dir}:v1`, ref]);
          await skopeo(['copy', '--all', '--src-tls-verify=false', ref, `oci:${join(work, 'out')}:v1`]);
          for (const img of layout.images) {
            for (const l of img.layers) assert.deepEqual(readFileSync(join(work, 'out/blobs/sha256', l.digest.slice(7))), l.bytes);
          }
        } finally {
          rmSync(work, { recursive: true, force: true });
        }
      });
    }
  });
}
