// @haven-own-database: chooses its own databases, so the PostgreSQL pass of npm test skips it.
// Haven at scale (issue 10, §4): three instances on one PostgreSQL, one S3 (Swift) and one Redis,
// behind nginx round robin. Through nginx, real clients push and pull multi-arch images, a chunked
// push spreads its PATCHes over the instances, a login throttle and a disabled robot bite on every
// instance, and an instance killed with -9 in the middle of pushes loses nothing acknowledged.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startNginx, type RunningNginx } from './backends/nginx.js';
import { postgres } from './backends/postgres.js';
import { startRedis, type RedisBackend } from './backends/redis.js';
import { startS3, type S3Backend } from './backends/s3.js';
import { basic } from './helpers/api-client.js';
import { startHaven, testAdminPassword, type RunningHaven } from './helpers/haven.js';
import { writeTestLayout, type TestLayout } from './helpers/oci-layout.js';
import { body, sha256 } from './helpers/oci.js';
import { privatePodman, podmanDriver } from './helpers/podman.js';
import { describeRun, run } from './helpers/run.js';
import { requireTool } from './helpers/tools.js';

let databaseUrl: string;
let s3: S3Backend;
let redis: RedisBackend;
let nginx: RunningNginx;
let havens: RunningHaven[] = [];
let env: Record<string, string>;
let work: string;
const admin = { username: 'admin', password: testAdminPassword };
const auth = { Authorization: basic(admin) };

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'haven-cluster-'));
  databaseUrl = await (await postgres()).createDatabase('cluster');
  [s3, redis] = await Promise.all([startS3(), startRedis()]);
  const bucket = await s3.bucket('cluster');
  // Behind nginx every connection comes from 127.0.0.1: trust it for the client's address.
  env = { HAVEN_DATABASE_URL: databaseUrl, HAVEN_REDIS_URL: redis.url, HAVEN_TRUST_PROXY: 'loopback', ...s3.env(bucket) };
  havens = await Promise.all([1, 2, 3].map(() => startHaven({ env })));
  nginx = await startNginx({ upstreams: havens.map((h) => h.host) });
  writeFileSync(join(work, 'auth.json'), JSON.stringify({ auths: { [nginx.host]: { auth: Buffer.from(`admin:${testAdminPassword}`).toString('base64') } } }));
  const created = await fetch(`${nginx.url}/api/v2.0/projects`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ project_name: 'team' }) });
  assert.equal(created.status, 201, await created.text());
});

after(async () => {
  await nginx?.stop();
  await Promise.all(havens.map((h) => h.cleanup()));
  await Promise.all([s3?.stop(), redis?.cleanup()]);
  await (await postgres()).dropDatabase(databaseUrl).catch(() => {});
  rmSync(work, { recursive: true, force: true });
});

const skopeo = async (args: string[], opts: { mayFail?: boolean } = {}) => {
  const r = await run('skopeo', args, { timeoutMs: 180_000, env: { REGISTRY_AUTH_FILE: join(work, 'auth.json') } });
  if (!opts.mayFail) assert.equal(r.code, 0, `${describeRun('skopeo', args, r)}\n${diagnostics()}`);
  return r;
};

function diagnostics(): string {
  const tails = havens.map((h, i) => {
    let log = '';
    try {
      log = readFileSync(join(h.dataDir, 'haven.log'), 'utf8').split('\n').slice(-8).join('\n');
    } catch {
      // no log yet
    }
    return `--- instance ${i} ---\n${h.output().slice(-1500)}\n${log}`;
  });
  return `${tails.join('\n')}\n--- nginx ---\n${nginx?.errors() ?? ''}`;
}

/** Pulls every blob of an OCI layout's index through nginx and checks each digest. */
async function assertPullable(repo: string, layout: TestLayout, tag: string): Promise<void> {
  const accept = 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json';
  const index = await fetch(`${nginx.url}/v2/${repo}/manifests/${tag}`, { headers: { ...auth, Accept: accept } });
  assert.equal(index.status, 200);
  assert.equal(index.headers.get('docker-content-digest'), layout.indexDigest);
  for (const img of layout.images) {
    const m = await fetch(`${nginx.url}/v2/${repo}/manifests/${img.manifestDigest}`, { headers: { ...auth, Accept: accept } });
    assert.equal(sha256(Buffer.from(await m.arrayBuffer())), img.manifestDigest);
    for (const digest of [img.configDigest, ...img.layers.map((l) => l.digest)]) {
      const b = await fetch(`${nginx.url}/v2/${repo}/blobs/${digest}`, { headers: auth, redirect: 'follow' });
      assert.equal(b.status, 200, `${digest}: ${b.status}`);
      assert.equal(sha256(Buffer.from(await b.arrayBuffer())), digest);
    }
  }
}

/** Which instances logged a request for `path` (their haven.log), by index. */
function instancesThatServed(pathPart: string, method: string): number[] {
  return havens
    .map((h, i) => ({ i, log: readFileSync(join(h.dataDir, 'haven.log'), 'utf8') }))
    .filter(({ log }) => log.split('\n').some((l) => l.includes(`"method":"${method}"`) && l.includes(pathPart)))
    .map(({ i }) => i);
}

describe('three instances behind nginx', { timeout: 600_000 }, () => {
  test('skopeo pushes and pulls a multi-arch image through nginx; every instance serves it', async (t) => {
    if (!requireTool(t, 'skopeo')) return;
    const layout = writeTestLayout(join(work, 'layout'));
    await skopeo(['copy', '--all', '--dest-tls-verify=false', `oci:${layout.dir}:v1`, `docker://${nginx.host}/team/app:v1`]);
    await assertPullable('team/app', layout, 'v1');
    for (const h of havens) {
      const r = await fetch(`${h.url}/v2/team/app/manifests/v1`, { method: 'HEAD', headers: { ...auth, Accept: 'application/vnd.oci.image.index.v1+json' } });
      assert.equal(r.headers.get('docker-content-digest'), layout.indexDigest, `instance ${h.url}`);
    }
    const out = join(work, 'pulled');
    await skopeo(['copy', '--all', '--src-tls-verify=false', `docker://${nginx.host}/team/app:v1`, `oci:${out}:v1`]);
    const pulledIndex = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string }> };
    assert.equal(pulledIndex.manifests[0]!.digest, layout.indexDigest);
  });

  test('podman pushes and pulls through nginx', async (t) => {
    if (!requireTool(t, 'podman')) return;
    const podman = privatePodman(join(work, 'podman'), join(work, 'auth.json'), { timeoutMs: 180_000 });
    if ((await podmanDriver(t, podman)) === null) return;
    // The multi-arch image skopeo pushed: podman pulls its amd64 image through nginx, pushes it
    // under another name, forgets it and pulls it back.
    const image = `${nginx.host}/team/podman:p1`;
    const pull = await podman(['pull', '--tls-verify=false', '--arch', 'amd64', `${nginx.host}/team/app:v1`]);
    assert.equal(pull.code, 0, `${describeRun('podman', ['pull'], pull)}\n${diagnostics()}`);
    const tagged = await podman(['tag', `${nginx.host}/team/app:v1`, image]);
    assert.equal(tagged.code, 0, describeRun('podman', ['tag'], tagged));
    const push = await podman(['push', '--tls-verify=false', image]);
    assert.equal(push.code, 0, `${describeRun('podman', ['push'], push)}\n${diagnostics()}`);
    const rmi = await podman(['rmi', image]);
    assert.equal(rmi.code, 0);
    const again = await podman(['pull', '--tls-verify=false', image]);
    assert.equal(again.code, 0, `${describeRun('podman', ['pull'], again)}\n${diagnostics()}`);

    // Multi-arch: a manifest list of the two platforms skopeo pushed, pushed with --all through
    // nginx, is the same two images with their platforms; podman then pulls its arm64 image.
    const indexAccept = { ...auth, Accept: 'application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json' };
    type Index = { manifests: Array<{ digest: string; platform: { architecture: string; os: string } }> };
    const source = (await (await fetch(`${nginx.url}/v2/team/app/manifests/v1`, { headers: indexAccept })).json()) as Index;
    const list = `${nginx.host}/team/podman:multi`;
    const steps = [
      ['manifest', 'create', list],
      ...source.manifests.map((m) => ['manifest', 'add', '--tls-verify=false', list, `docker://${nginx.host}/team/app@${m.digest}`]),
      ['manifest', 'push', '--all', '--tls-verify=false', list, `docker://${list}`],
      ['pull', '--tls-verify=false', '--arch', 'arm64', list],
    ];
    for (const args of steps) {
      const r = await podman(args);
      assert.equal(r.code, 0, `${describeRun('podman', args, r)}\n${diagnostics()}`);
    }
    const pushed = await fetch(`${nginx.url}/v2/team/podman/manifests/multi`, { headers: indexAccept });
    assert.equal(pushed.status, 200);
    const platforms = (i: Index) => i.manifests.map((m) => [m.digest, `${m.platform.os}/${m.platform.architecture}`]);
    assert.deepEqual(platforms((await pushed.json()) as Index), platforms(source));
    const arch = await podman(['image', 'inspect', '--format', '{{.Architecture}}', list]);
    assert.equal(String(arch.stdout).trim(), 'arm64', describeRun('podman', ['image', 'inspect'], arch));
  });

  test('a chunked push with its PATCHes spread over the instances completes and verifies', async () => {
    const blob = randomBytes(3 * 1024 * 1024 + 12345);
    const digest = sha256(blob);
    const start = await fetch(`${nginx.url}/v2/team/chunked/blobs/uploads/`, { method: 'POST', headers: auth });
    assert.equal(start.status, 202);
    let location = new URL(start.headers.get('location')!, nginx.url);
    const uploadId = location.pathname.split('/').pop()!;
    const chunk = 512 * 1024;
    for (let off = 0; off < blob.length; off += chunk) {
      const part = blob.subarray(off, Math.min(blob.length, off + chunk));
      const r = await fetch(location, {
        method: 'PATCH',
        headers: { ...auth, 'Content-Type': 'application/octet-stream', 'Content-Range': `${off}-${off + part.length - 1}` },
        body: body(part),
      });
      assert.equal(r.status, 202, `${await r.text()}\n${diagnostics()}`);
      location = new URL(r.headers.get('location')!, nginx.url);
    }
    location.searchParams.set('digest', digest);
    const done = await fetch(location, { method: 'PUT', headers: auth });
    assert.equal(done.status, 201, await done.text());
    assert.deepEqual(instancesThatServed(uploadId, 'PATCH').length, 3, 'round robin sent PATCHes to all three');
    for (const h of havens) {
      const b = await fetch(`${h.url}/v2/team/chunked/blobs/${digest}`, { headers: auth });
      assert.equal(b.status, 200);
      assert.equal(createHash('sha256').update(Buffer.from(await b.arrayBuffer())).digest('hex'), digest.slice(7));
    }
  });

  test('two PATCHes to one upload on two instances at once: one writes, the other is refused, and the blob verifies', async () => {
    const blob = randomBytes(1024 * 1024);
    const digest = sha256(blob);
    const [a, b, c] = havens as [RunningHaven, RunningHaven, RunningHaven];
    const start = await fetch(`${a.url}/v2/team/contended/blobs/uploads/`, { method: 'POST', headers: auth });
    assert.equal(start.status, 202);
    const path = new URL(start.headers.get('location')!, a.url).pathname;
    const headers = { ...auth, 'Content-Type': 'application/octet-stream', 'Content-Range': `0-${blob.length - 1}` };
    // A's body trickles in over about half a second, so B's PATCH arrives while A holds the upload.
    const slow = () =>
      new ReadableStream<Uint8Array>({
        async start(ctl) {
          for (let off = 0; off < blob.length; off += 64 * 1024) {
            ctl.enqueue(blob.subarray(off, off + 64 * 1024));
            await new Promise((r) => setTimeout(r, 30));
          }
          ctl.close();
        },
      });
    const first = fetch(`${a.url}${path}`, { method: 'PATCH', headers, body: slow(), duplex: 'half' } as RequestInit);
    await new Promise((r) => setTimeout(r, 150));
    const second = await fetch(`${b.url}${path}`, { method: 'PATCH', headers, body: body(blob) });
    assert.equal(second.status, 416, await second.text());
    assert.equal((await first).status, 202, diagnostics());
    // The upload holds exactly A's bytes, as a third instance sees it, and commits to the digest.
    const status = await fetch(`${c.url}${path}`, { headers: auth });
    assert.equal(status.headers.get('range'), `0-${blob.length - 1}`);
    const done = await fetch(`${c.url}${path}?digest=${digest}`, { method: 'PUT', headers: auth });
    assert.equal(done.status, 201, await done.text());
    const got = await fetch(`${b.url}/v2/team/contended/blobs/${digest}`, { headers: auth });
    assert.equal(sha256(Buffer.from(await got.arrayBuffer())), digest);
  });

  test('the sixth failed login through any instance is throttled on all of them', async () => {
    const user = { username: 'throttled', password: 'Throttled123' };
    const made = await fetch(`${nginx.url}/api/v2.0/users`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...user, email: 'throttled@example.com', realname: 'T' }),
    });
    assert.equal(made.status, 201);
    const wrong = { Authorization: basic({ username: user.username, password: 'Wrong1234567' }) };
    // Five failures are free; the sixth is refused as wrong and starts the wait, on every instance.
    for (let i = 0; i < 6; i++) assert.equal((await fetch(`${nginx.url}/api/v2.0/users/current`, { headers: wrong })).status, 401);
    const right = { Authorization: basic(user) };
    for (const h of havens) {
      const r = await fetch(`${h.url}/api/v2.0/users/current`, { headers: wrong });
      assert.equal(r.status, 429, `instance ${h.url} throttles after the sixth failure`);
      assert.ok(Number(r.headers.get('retry-after')) > 0);
      // Even the right password waits: the client must not learn it guessed right.
      assert.equal((await fetch(`${h.url}/api/v2.0/users/current`, { headers: right })).status, 429);
    }
  });

  test('a robot disabled through one instance is refused by the others at once', async () => {
    const created = await fetch(`${havens[0]!.url}/api/v2.0/robots`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'ci', level: 'project', duration: -1, permissions: [{ kind: 'project', namespace: 'team', access: [{ resource: 'repository', action: 'pull' }] }] }),
    });
    const robot = (await created.json()) as { id: number; name: string; secret: string };
    assert.equal(created.status, 201, JSON.stringify(robot));
    const robotAuth = { Authorization: basic({ username: robot.name, password: robot.secret }) };
    for (const h of havens) assert.equal((await fetch(`${h.url}/v2/team/app/tags/list`, { headers: robotAuth })).status, 200);
    const disabled = await fetch(`${havens[0]!.url}/api/v2.0/robots/${robot.id}`, {
      method: 'PUT',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ disable: true }),
    });
    assert.equal(disabled.status, 200, await disabled.text());
    for (const h of havens.slice(1)) assert.equal((await fetch(`${h.url}/v2/team/app/tags/list`, { headers: robotAuth })).status, 401, `instance ${h.url}`);
  });

  test('a blob deleted through one instance is unknown to the others at once, though they had just answered its HEAD from memory', async () => {
    const blob = randomBytes(4096);
    const digest = sha256(blob);
    const start = await fetch(`${havens[0]!.url}/v2/team/unlinked/blobs/uploads/?digest=${digest}`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/octet-stream' }, body: body(blob) });
    assert.equal(start.status, 201, await start.text());
    const head = (h: RunningHaven) => fetch(`${h.url}/v2/team/unlinked/blobs/${digest}`, { method: 'HEAD', headers: auth });
    for (const h of havens) for (let i = 0; i < 2; i++) assert.equal((await head(h)).status, 200);
    assert.equal((await fetch(`${havens[0]!.url}/v2/team/unlinked/blobs/${digest}`, { method: 'DELETE', headers: auth })).status, 202);
    for (const h of havens.slice(1)) assert.equal((await head(h)).status, 404, `instance ${h.url}`);
  });

  test('an instance killed with -9 during pushes: the clients retry, every acknowledged push is pullable', async (t) => {
    if (!requireTool(t, 'skopeo')) return;
    const layouts = Array.from({ length: 6 }, (_, i) => writeTestLayout(join(work, `kill-${i}`), { tag: `k${i}` }));
    const failures: string[] = [];
    const pushes = layouts.map(async (layout, i) => {
      // skopeo retries what it counts as transient, but not a POST or PATCH that nginx answered 502
      // because the instance died under it (nginx never resends those). A pipeline would run the
      // push again, so does this; the second run goes to a live instance and must succeed.
      const args = ['copy', '--all', '--retry-times', '5', '--dest-tls-verify=false', `oci:${layout.dir}:k${i}`, `docker://${nginx.host}/team/kill:k${i}`];
      for (let attempt = 0; attempt < 2; attempt++) {
        const r = await skopeo(args, { mayFail: true });
        if (r.code === 0) return true;
        failures.push(describeRun('skopeo', args, r));
      }
      return false;
    });
    await new Promise((r) => setTimeout(r, 1500));
    await havens[2]!.kill();
    const acknowledged = await Promise.all(pushes);
    assert.ok(acknowledged.every(Boolean), `${acknowledged.join(',')}\n${failures.join('\n')}\n${diagnostics()}`);
    for (const [i, layout] of layouts.entries()) {
      if (acknowledged[i]) await assertPullable('team/kill', layout, `k${i}`);
    }
    // Nothing half-pushed is visible: every tag that exists is complete.
    const tags = (await (await fetch(`${nginx.url}/v2/team/kill/tags/list`, { headers: auth })).json()) as { tags: string[] };
    for (const tag of tags.tags) {
      const i = Number(tag.slice(1));
      await assertPullable('team/kill', layouts[i]!, tag);
    }
  });
});
