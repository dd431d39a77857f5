// @haven-own-database: chooses its own databases, so the PostgreSQL pass of npm test skips it.
// `haven migrate --to postgres://...`: an embedded installation (SQLite + files) with images,
// users and a robot is stopped, moved, and started again on PostgreSQL with the same data dir;
// everything it held is served. And the refusals: a running server, a non-empty target, an
// unreachable one, a malformed URL, --storage-to s3 without its bucket settings.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { postgres } from './backends/postgres.js';
import { freePort } from './backends/ports.js';
import { apiClient, type Creds } from './helpers/api-client.js';
import { havenBin, startHaven, type RunningHaven } from './helpers/haven.js';
import { asAdmin, type Blob, openUpload, patchChunk, pushImage, randomBlob, sha256 } from './helpers/oci.js';
import { readLayoutBlobs, readLayoutIndex } from './helpers/oci-layout.js';
import { eventually } from './helpers/eventually.js';
import { describeRun, run } from './helpers/run.js';
import { requireTool } from './helpers/tools.js';

const haven = (args: string[]) => spawnSync(process.execPath, [havenBin, 'migrate', ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, HAVEN_CONFIG: '/dev/null' } });

const carol: Creds = { username: 'carol', password: 'Carol12345' };

describe('haven migrate', { timeout: 300_000 }, () => {
  let work: string;
  let dataDir: string;
  let h: RunningHaven | undefined;
  let url = '';
  const images: Array<{ repo: string; tag: string; digest: string }> = [];
  let robot: { name: string; secret: string };
  /** A chunked upload left half done before the move: its path, and the blob it uploads. */
  let upload: { path: string; blob: Blob };

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'haven-migrate-'));
    dataDir = join(work, 'data');
    // Always an embedded installation, whichever database the suite runs Haven on.
    h = await startHaven({ dataDir, projects: ['alpha'], env: { HAVEN_DATABASE_URL: '' } });
    for (const [repo, tag] of [['alpha/app', 'v1'], ['alpha/app', 'v2'], ['alpha/team/web', 'v1']] as const) {
      images.push({ repo, tag, digest: (await pushImage(asAdmin(h), repo, tag, 2, 64 * 1024)).digest });
    }
    const api = apiClient(h).api;
    assert.equal((await api('POST', '/users', { body: { username: carol.username, password: carol.password, email: 'carol@example.com' } })).status, 201);
    const rb = await api('POST', '/robots', {
      body: { name: 'ci', level: 'project', duration: -1, permissions: [{ kind: 'project', namespace: 'alpha', access: [{ resource: 'repository', action: 'pull' }] }] },
    });
    assert.equal(rb.status, 201, rb.text);
    robot = { name: rb.json.name, secret: rb.json.secret };
    const blob = randomBlob(64 * 1024);
    const at = await openUpload(asAdmin(h), 'alpha/chunked');
    const first = await patchChunk(asAdmin(h), at, blob.bytes.subarray(0, 32 * 1024), 0);
    assert.equal(first.status, 202);
    const next = new URL(first.headers.get('location')!, h.url);
    upload = { path: next.pathname + next.search, blob };
    url = await (await postgres()).createDatabase('migrated');
  });

  after(async () => {
    await h?.stop();
    if (url) await (await postgres()).dropDatabase(url);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('is refused while haven serve runs on the data dir', () => {
    const r = haven(['--to', url, '--data-dir', dataDir]);
    assert.equal(r.status, 1, r.stdout);
    assert.match(r.stderr, /in use by another haven serve/);
  });

  test('moves everything; the server restarted on PostgreSQL serves it', async (t) => {
    await h!.stop();
    const r = haven(['--to', url, '--data-dir', dataDir]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^moved \d+ rows in \d+ tables to postgres:\/\/.*verified by row counts and digests/);
    assert.match(r.stderr, /rows: (\d+)\/\1 \(100%\)/, 'progress on stderr');
    assert.match(r.stderr, /verified rows: (\d+)\/\1 \(100%\)/);

    h = await startHaven({ dataDir, env: { HAVEN_DATABASE_URL: url } });
    const rh = h;
    for (const img of images) {
      const head = await rh.adminFetch(`${rh.url}/v2/${img.repo}/manifests/${img.tag}`, { method: 'HEAD', headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } });
      assert.equal(head.status, 200, `${img.repo}:${img.tag}`);
      assert.equal(head.headers.get('docker-content-digest'), img.digest);
    }
    if (requireTool(t, 'skopeo')) {
      const authFile = join(work, 'auth.json');
      writeFileSync(authFile, JSON.stringify({ auths: { [rh.host]: { auth: Buffer.from(`admin:${rh.admin.password}`).toString('base64') } } }));
      const out = join(work, 'pulled');
      mkdirSync(out);
      const args = ['copy', '--preserve-digests', '--src-tls-verify=false', `docker://${rh.host}/alpha/app:v2`, `oci:${out}:v2`];
      const c = await run('skopeo', args, { env: { REGISTRY_AUTH_FILE: authFile }, timeoutMs: 60_000 });
      assert.equal(c.code, 0, describeRun('skopeo', args, c));
      assert.equal(readLayoutIndex(out).manifests[0]!.digest, images[1]!.digest);
      for (const [digest, bytes] of readLayoutBlobs(out)) assert.equal(sha256(bytes), digest);
    }
    const client = apiClient(rh);
    assert.equal((await client.api('GET', '/users/current', { as: carol })).status, 200);
    const token = await client.token({ username: robot.name, password: robot.secret }, 'repository:alpha/app:pull');
    assert.deepEqual(token.access, [{ type: 'repository', name: 'alpha/app', actions: ['pull'] }]);
    const repos = await client.api('GET', '/projects/alpha/repositories');
    assert.deepEqual(repos.json.map((x: { name: string }) => x.name).sort(), ['alpha/app', 'alpha/team/web']);
    // The upload begun before the move carries on where it stopped.
    const rest = await patchChunk(asAdmin(rh), new URL(upload.path, rh.url), upload.blob.bytes.subarray(32 * 1024), 32 * 1024);
    assert.equal(rest.status, 202, await rest.text());
    const done = new URL(rest.headers.get('location')!, rh.url);
    done.searchParams.set('digest', upload.blob.digest);
    const put = await fetch(done, { method: 'PUT', headers: asAdmin(rh).headers });
    assert.equal(put.status, 201, await put.text());
    const got = await fetch(`${rh.url}/v2/alpha/chunked/blobs/${upload.blob.digest}`, { headers: asAdmin(rh).headers });
    assert.equal(sha256(Buffer.from(await got.arrayBuffer())), upload.blob.digest);
    // New rows get ids of their own (the sequences were moved on) and new pushes work.
    await pushImage(asAdmin(rh), 'alpha/after', 'v1');
    assert.equal((await client.api('POST', '/users', { body: { username: 'newcomer', password: 'Newcomer123', email: 'new@example.com' } })).status, 201);
  });

  test('a target that is not empty is refused (a second run is not a resume)', async () => {
    await h!.stop();
    const r = haven(['--to', url, '--data-dir', dataDir]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /target database is not empty/);
  });

  test('an unreachable target, a malformed URL and --storage-to without storage.s3.* are refused with the option named', async () => {
    const dead = `postgres://haven:secret@127.0.0.1:${await freePort()}/nothing`;
    let r = haven(['--to', dead, '--data-dir', dataDir]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /--to: cannot use PostgreSQL at postgres:\/\/haven:\*\*\*@127\.0\.0\.1/);
    assert.doesNotMatch(r.stderr, /secret/, 'the password is never printed');
    r = haven(['--to', 'mysql://x', '--data-dir', dataDir]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--to must be a postgres:\/\/ URL/);
    // The bucket is storage.s3.*, as serve reads it (test/migrate-s3.test.ts moves blobs there).
    r = haven(['--to', url, '--storage-to', 's3', '--data-dir', dataDir]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /storage\.s3\.bucket: is required with --storage-to s3/);
    r = haven(['--data-dir', dataDir]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /give --to postgres:\/\/\.\.\. \(the metadata\), --storage-to s3 \(the blobs\), or both/);
    r = haven(['--to', url, '--data-dir', join(work, 'nothing-here')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /no Haven database at/);
  });
});

describe('haven migrate after kill -9', { timeout: 300_000 }, () => {
  let work: string;
  let dataDir: string;
  let url = '';
  let digest = '';
  const bulk = 60_000;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'haven-migrate-kill-'));
    dataDir = join(work, 'data');
    const h = await startHaven({ dataDir, projects: ['alpha'], env: { HAVEN_DATABASE_URL: '' } });
    digest = (await pushImage(asAdmin(h), 'alpha/app', 'v1')).digest;
    await h.stop();
    // A table near the end of the load order made large, so the move is still copying it when killed.
    const db = new SQLite(join(dataDir, 'haven.db'));
    try {
      const id = (db.prepare('select id from manifests where digest = ?').get(digest) as { id: number }).id;
      const insert = db.prepare("insert into manifest_references (manifest_id, digest, kind) values (?, ?, 'manifest')");
      db.transaction(() => {
        for (let i = 0; i < bulk; i++) insert.run(id, `sha256:${i.toString(16).padStart(64, '0')}`);
      })();
    } finally {
      db.close();
    }
    url = await (await postgres()).createDatabase('killed');
  });

  after(async () => {
    if (url) await (await postgres()).dropDatabase(url);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('a move killed half-way resumes at the table it was copying and ends verified', async () => {
    const child = spawn(process.execPath, [havenBin, 'migrate', '--to', url, '--data-dir', dataDir], { env: { ...process.env, HAVEN_CONFIG: '/dev/null' }, stdio: 'ignore' });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    let running = true;
    void exited.then(() => (running = false));
    const target = new pg.Client({ connectionString: url });
    await target.connect();
    let done = 0;
    try {
      // Killed once the small tables are recorded as copied, while the large one is on its way.
      await eventually(
        async () => {
          if (!running) return;
          const r = await target.query("select count(*)::int as n from haven_migrate_state where item like 'table:%'").catch(() => ({ rows: [{ n: 0 }] }));
          done = r.rows[0].n;
          assert.ok(done >= 10);
        },
        { timeoutMs: 60_000, intervalMs: 10 },
      );
      assert.ok(running, 'the move was still running when it was killed');
      child.kill('SIGKILL');
      await exited;
      const copied = await target.query("select count(*)::int as n from haven_migrate_state where item = 'table:manifest_references'");
      assert.equal(copied.rows[0].n, 0, 'killed before the large table was recorded');
      const partial = await target.query('select count(*)::int as n from manifest_references');
      assert.equal(partial.rows[0].n, 0, 'a table is never half there');
    } finally {
      await target.end();
    }

    const r = spawnSync(process.execPath, [havenBin, 'migrate', '--to', url, '--data-dir', dataDir], { encoding: 'utf8', timeout: 180_000, env: { ...process.env, HAVEN_CONFIG: '/dev/null' } });
    assert.equal(r.status, 0, r.stderr);
    const resumed = /resumed: (\d+) tables were already there/.exec(r.stdout);
    assert.ok(resumed && Number(resumed[1]) >= done, r.stdout);
    const h = await startHaven({ dataDir, env: { HAVEN_DATABASE_URL: url } });
    try {
      const head = await h.adminFetch(`${h.url}/v2/alpha/app/manifests/v1`, { method: 'HEAD', headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } });
      assert.equal(head.headers.get('docker-content-digest'), digest);
    } finally {
      await h.stop();
    }
  });
});

