// `haven backup` while the server runs and pushes continue, `haven restore` into a fresh data dir,
// and a server on the restored dir that serves everything the backup holds: images pulled by
// skopeo with verified digests, users, robots, labels, quotas. Then the refusals: a non-empty
// target, a damaged blob, damaged metadata, a missing or incomplete backup.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { apiClient, type Creds } from './helpers/api-client.js';
import { postgres } from './backends/postgres.js';
import { havenBin, startHaven, testDatabase, type RunningHaven } from './helpers/haven.js';
import { asAdmin, pushImage, sha256 } from './helpers/oci.js';
import { readLayoutBlobs, readLayoutIndex, writeTestLayout, type TestLayout } from './helpers/oci-layout.js';
import { describeRun, run } from './helpers/run.js';
import { requireTool } from './helpers/tools.js';

const env = { ...process.env, HAVEN_CONFIG: '/dev/null' };

/** `haven <args>` to completion. */
const haven = (args: string[]) => spawnSync(process.execPath, [havenBin, ...args], { encoding: 'utf8', timeout: 120_000, env });

/** `haven <args>` in the background, so the test can push while it runs. */
function havenAsync(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [havenBin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** The database flag of a Haven's data dir, for commands run beside it (PostgreSQL test runs). */
const dbArgs = (h: RunningHaven) => (h.databaseUrl ? ['--database-url', h.databaseUrl] : []);

interface Pushed {
  repo: string;
  tag: string;
  digest: string;
  ackedAt: number;
}

const carol: Creds = { username: 'carol', password: 'Carol12345' };

describe('haven backup and haven restore', { timeout: 300_000 }, () => {
  let work: string;
  let source: RunningHaven;
  let restored: RunningHaven | undefined;
  let layout: TestLayout;
  let backupDir: string;
  let header: { createdAt: string; blobs: { count: number; bytes: number }; tables: Array<{ name: string; rows: number }> };
  const pushed: Pushed[] = [];
  const loop: Pushed[] = [];
  let robot: { name: string; secret: string };
  let betaQuota: { id: number; hard: { storage: number }; used: { storage: number } };
  let labelId = 0;
  let deletedUserId = 0;
  /** A registry token the source issued: the restored server keeps its signing key. */
  let sourceToken = '';
  let restoredUrl = '';

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'haven-backup-'));
    source = await startHaven({ projects: ['alpha', 'beta'] });
    const api = apiClient(source).api;
    // A multi-arch image and its referrer, as a real client pushes them, and a few small images.
    layout = writeTestLayout(join(work, 'layout'), { tag: 'v1', artifactTag: 'sbom' });
    if (spawnSync('sh', ['-c', 'command -v skopeo']).status === 0) {
      const authFile = join(work, 'auth.json');
      writeFileSync(authFile, JSON.stringify({ auths: { [source.host]: { auth: Buffer.from(`admin:${source.admin.password}`).toString('base64') } } }));
      const r = await run('skopeo', ['copy', '--all', '--dest-tls-verify=false', `oci:${layout.dir}:v1`, `docker://${source.host}/alpha/multi:v1`], {
        env: { REGISTRY_AUTH_FILE: authFile },
        timeoutMs: 60_000,
      });
      assert.equal(r.code, 0, describeRun('skopeo', ['copy'], r));
      pushed.push({ repo: 'alpha/multi', tag: 'v1', digest: layout.indexDigest, ackedAt: Date.now() });
    }
    for (const [repo, tag] of [['alpha/app', 'v1'], ['alpha/app', 'v2'], ['alpha/team/web', 'v1'], ['beta/app', 'v1'], ['beta/tools', 'latest']] as const) {
      const { digest } = await pushImage(asAdmin(source), repo, tag, 2, 256 * 1024);
      pushed.push({ repo, tag, digest, ackedAt: Date.now() });
    }
    // Users (one deleted, so its id must never be handed out again), a robot, labels, a quota.
    assert.equal((await api('POST', '/users', { body: { username: carol.username, password: carol.password, email: 'carol@example.com', realname: 'Carol' } })).status, 201);
    assert.equal((await api('POST', '/users', { body: { username: 'temp', password: 'Temp12345', email: 'temp@example.com' } })).status, 201);
    deletedUserId = (await api('GET', '/users?page_size=100')).json.find((u: { username: string }) => u.username === 'temp').user_id;
    assert.equal((await api('DELETE', `/users/${deletedUserId}`)).status, 200);
    assert.equal((await api('POST', '/projects/alpha/members', { body: { role_id: 2, member_user: { username: 'carol' } } })).status, 201);
    const rb = await api('POST', '/robots', {
      body: { name: 'ci', level: 'project', duration: -1, permissions: [{ kind: 'project', namespace: 'alpha', access: [{ resource: 'repository', action: 'pull' }] }] },
    });
    assert.equal(rb.status, 201, rb.text);
    robot = { name: rb.json.name, secret: rb.json.secret };
    const label = await api('POST', '/labels', { body: { name: 'release', color: '#00ff00', scope: 'g' } });
    assert.equal(label.status, 201, label.text);
    labelId = Number(label.headers.get('location')!.split('/').pop());
    assert.equal((await api('POST', '/projects/alpha/repositories/app/artifacts/v1/labels', { body: { id: labelId } })).status, 200);
    const betaId = (await api('GET', '/projects/beta')).json.project_id;
    const q = (await api('GET', `/quotas?reference=project&reference_id=${betaId}`)).json[0];
    assert.equal((await api('PUT', `/quotas/${q.id}`, { body: { hard: { storage: 50 * 1024 * 1024 } } })).status, 200);
    betaQuota = (await api('GET', `/quotas/${q.id}`)).json;
    sourceToken = (await apiClient(source).token(apiClient(source).admin, 'repository:alpha/app:pull')).token;
  });

  after(async () => {
    await restored?.cleanup();
    if (restoredUrl) await (await postgres()).dropDatabase(restoredUrl);
    await source?.cleanup();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('a backup taken while pushes continue holds every push acknowledged before its snapshot', async () => {
    backupDir = join(work, 'backup');
    let backupDone = false;
    let loopError: unknown = null;
    const pushing = (async () => {
      for (let i = 0; !backupDone; i++) {
        try {
          const { digest } = await pushImage(asAdmin(source), 'alpha/loop', `n${i}`, 1, 64 * 1024);
          loop.push({ repo: 'alpha/loop', tag: `n${i}`, digest, ackedAt: Date.now() });
        } catch (err) {
          loopError = err;
          return;
        }
      }
    })();
    // The backup starts once pushes are under way.
    while (loop.length === 0 && !loopError) await new Promise((r) => setTimeout(r, 10));
    const r = await havenAsync(['backup', backupDir, '--data-dir', source.dataDir, ...dbArgs(source)]);
    backupDone = true;
    await pushing;
    assert.equal(loopError, null, `a push failed while the backup ran: ${loopError}`);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^backup written to /);
    assert.match(r.stderr, /metadata rows: \d+\/\d+ \(100%\)/, 'progress on stderr');
    header = JSON.parse(readFileSync(join(backupDir, 'backup.json'), 'utf8'));
    assert.equal(statSync(backupDir).mode & 0o777, 0o700, 'secrets inside: owner only');
    const snapshotAt = Date.parse(header.createdAt);
    const before = loop.filter((p) => p.ackedAt < snapshotAt);
    assert.ok(before.length >= 1, 'pushes were acknowledged before the snapshot');
    // Pushes also go on after the snapshot, while blobs are copied: those may or may not be in
    // it, and whichever are must pull (checked after the restore).
    // Every blob the snapshot knows is in the backup, and hashes to its name.
    const manifest = readFileSync(join(backupDir, 'blob-manifest.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { digest: string; size: number });
    assert.equal(manifest.length, header.blobs.count);
    assert.ok(manifest.length >= 10, `${manifest.length} blobs`);
    for (const b of manifest) {
      const hex = b.digest.slice('sha256:'.length);
      const bytes = readFileSync(join(backupDir, 'blobs', 'sha256', hex.slice(0, 2), hex));
      assert.equal(bytes.length, b.size);
      assert.equal(sha256(bytes), b.digest);
    }
  });

  test('restore into a fresh data dir gives a server that serves everything the backup holds', async (t) => {
    const dataDir = join(work, 'restored');
    // On a PostgreSQL test run, the restore goes into a new, empty PostgreSQL database.
    restoredUrl = testDatabase === 'postgres' ? await (await postgres()).createDatabase('restored') : '';
    const r = haven(['restore', backupDir, '--data-dir', dataDir, ...(restoredUrl ? ['--database-url', restoredUrl] : [])]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`${header.blobs.count} blobs verified`));
    assert.deepEqual(readdirSync(work).filter((n) => n.includes('restoring')), [], 'no staging directory is left');
    const rh = await startHaven({ dataDir, env: { HAVEN_DATABASE_URL: restoredUrl } });
    restored = rh;
    const api = apiClient(rh).api;

    // Images: those pushed before the backup, and every loop push acknowledged before the snapshot.
    const snapshotAt = Date.parse(header.createdAt);
    const tags = async (repo: string) => ((await (await rh.adminFetch(`${rh.url}/v2/${repo}/tags/list?n=1000`)).json()) as { tags: string[] }).tags;
    const loopTags = new Set(await tags('alpha/loop'));
    for (const p of loop.filter((x) => x.ackedAt < snapshotAt)) assert.ok(loopTags.has(p.tag), `${p.tag}, acknowledged before the snapshot, was restored`);
    const expected = [...pushed, ...loop.filter((p) => loopTags.has(p.tag))];
    for (const p of expected) {
      const head = await rh.adminFetch(`${rh.url}/v2/${p.repo}/manifests/${p.tag}`, {
        method: 'HEAD',
        headers: { Accept: 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json' },
      });
      assert.equal(head.status, 200, `${p.repo}:${p.tag}`);
      assert.equal(head.headers.get('docker-content-digest'), p.digest, `${p.repo}:${p.tag}`);
    }

    // Pulled by a real client: every blob arrives and hashes to its digest.
    if (requireTool(t, 'skopeo')) {
      const authFile = join(work, 'auth-rh.json');
      writeFileSync(authFile, JSON.stringify({ auths: { [rh.host]: { auth: Buffer.from(`admin:${rh.admin.password}`).toString('base64') } } }));
      for (const p of expected) {
        const out = join(work, 'pulled', p.repo.replaceAll('/', '_'), p.tag);
        mkdirSync(out, { recursive: true });
        const args = ['copy', '--all', '--preserve-digests', '--src-tls-verify=false', `docker://${rh.host}/${p.repo}:${p.tag}`, `oci:${out}:${p.tag}`];
        const c = await run('skopeo', args, { env: { REGISTRY_AUTH_FILE: authFile }, timeoutMs: 60_000 });
        assert.equal(c.code, 0, describeRun('skopeo', args, c));
        assert.equal(readLayoutIndex(out).manifests[0]!.digest, p.digest, `${p.repo}:${p.tag} pulled as another digest`);
        for (const [digest, bytes] of readLayoutBlobs(out)) assert.equal(sha256(bytes), digest, `${p.repo}:${p.tag} blob ${digest}`);
      }
      if (pushed[0]?.repo === 'alpha/multi') {
        const blobs = readLayoutBlobs(join(work, 'pulled', 'alpha_multi', 'v1'));
        for (const img of layout.images) {
          for (const d of [img.manifestDigest, img.configDigest, ...img.layers.map((l) => l.digest)]) assert.ok(blobs.has(d), `multi-arch ${d}`);
        }
      }
    }

    // Projects, with their ids and settings.
    const projects = async (a: typeof api) => (await a('GET', '/projects?page_size=100')).json.map((p: { project_id: number; name: string; metadata: unknown }) => [p.project_id, p.name, p.metadata]).sort();
    assert.deepEqual(await projects(api), await projects(apiClient(source).api));
    // Identity: the admin's and carol's passwords, carol's membership, the robot's secret.
    const carolMe = await api('GET', '/users/current', { as: carol });
    assert.equal(carolMe.status, 200, carolMe.text);
    assert.equal(carolMe.json.realname, 'Carol');
    const members = await api('GET', '/projects/alpha/members');
    assert.ok(members.json.some((m: { entity_name: string; role_id: number }) => m.entity_name === 'carol' && m.role_id === 2), members.text);
    const token = await apiClient(rh).token({ username: robot.name, password: robot.secret }, 'repository:alpha/app:pull');
    assert.equal(token.status, 200);
    assert.deepEqual(token.access, [{ type: 'repository', name: 'alpha/app', actions: ['pull'] }]);
    const withOldToken = await fetch(`${rh.url}/v2/alpha/app/tags/list`, { headers: { Authorization: `Bearer ${sourceToken}` } });
    assert.equal(withOldToken.status, 200, 'a token the source signed is valid on the restored server');
    // Labels, and the label on its artifact.
    const label = await api('GET', `/labels/${labelId}`);
    assert.equal(label.status, 200);
    assert.equal(label.json.name, 'release');
    const art = await api('GET', '/projects/alpha/repositories/app/artifacts/v1?with_label=true');
    assert.deepEqual(art.json.labels.map((l: { id: number }) => l.id), [labelId]);
    // Quotas: limit and usage as they were (nothing was pushed to beta during the backup).
    const q = await api('GET', `/quotas/${betaQuota.id}`);
    assert.deepEqual(q.json.hard, betaQuota.hard);
    assert.deepEqual(q.json.used, betaQuota.used);
    // Ids are never reused: a new user gets an id past the deleted one's.
    assert.equal((await api('POST', '/users', { body: { username: 'newcomer', password: 'Newcomer123', email: 'new@example.com' } })).status, 201);
    const newId = (await api('GET', '/users?page_size=100')).json.find((u: { username: string }) => u.username === 'newcomer').user_id;
    assert.ok(newId > deletedUserId, `new user id ${newId} > deleted ${deletedUserId}`);
    // And the restored server takes pushes.
    await pushImage(asAdmin(rh), 'alpha/after', 'v1');
  });

  test('--copy makes independent copies; hard links are used otherwise (same filesystem)', () => {
    const blob = readFileSync(join(backupDir, 'blob-manifest.jsonl'), 'utf8').split('\n')[0]!;
    const hex = (JSON.parse(blob) as { digest: string }).digest.slice('sha256:'.length);
    const rel = join('blobs', 'sha256', hex.slice(0, 2), hex);
    const live = statSync(join(source.dataDir, 'storage', rel));
    assert.equal(statSync(join(backupDir, rel)).ino, live.ino, 'linked');
    const copyDir = join(work, 'backup-copy');
    const r = haven(['backup', copyDir, '--data-dir', source.dataDir, '--copy', ...dbArgs(source)]);
    assert.equal(r.status, 0, r.stderr);
    assert.notEqual(statSync(join(copyDir, rel)).ino, live.ino, 'copied');
    assert.ok(readFileSync(join(copyDir, rel)).equals(readFileSync(join(source.dataDir, 'storage', rel))));
  });

  test('a backup on another filesystem falls back to verified copies', (t) => {
    // /dev/shm is a tmpfs on most Linux machines: link(2) across it fails with EXDEV.
    if (!existsSync('/dev/shm') || statSync('/dev/shm').dev === statSync(source.dataDir).dev) return t.skip('no second filesystem');
    const other = mkdtempSync('/dev/shm/haven-backup-');
    try {
      const r = haven(['backup', join(other, 'b'), '--data-dir', source.dataDir, ...dbArgs(source)]);
      assert.equal(r.status, 0, r.stderr);
      const h = JSON.parse(readFileSync(join(other, 'b', 'backup.json'), 'utf8'));
      const blobs = readFileSync(join(other, 'b', 'blob-manifest.jsonl'), 'utf8').trim().split('\n');
      assert.equal(blobs.length, h.blobs.count);
      for (const line of blobs) {
        const { digest } = JSON.parse(line) as { digest: string };
        const hex = digest.slice('sha256:'.length);
        assert.equal(sha256(readFileSync(join(other, 'b', 'blobs', 'sha256', hex.slice(0, 2), hex))), digest);
      }
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});

describe('haven backup and restore refuse bad input', { timeout: 120_000 }, () => {
  let work: string;
  let h: RunningHaven;
  let backupDir: string;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'haven-backup-bad-'));
    h = await startHaven({ projects: ['alpha'] });
    await pushImage(asAdmin(h), 'alpha/app', 'v1', 2, 4096);
    backupDir = join(work, 'backup');
    // Copies, so that damaging the backup below can never touch the live blobs.
    const r = haven(['backup', backupDir, '--data-dir', h.dataDir, '--copy', ...dbArgs(h)]);
    assert.equal(r.status, 0, r.stderr);
  });

  after(async () => {
    await h?.cleanup();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('restore --check verifies an intact backup and writes nothing', () => {
    const before = readdirSync(backupDir).sort();
    const r = haven(['restore', '--check', backupDir, '--data-dir', join(work, 'never-made')]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /is intact: \d+ rows in \d+ tables, \d+ blobs verified/);
    assert.deepEqual(readdirSync(backupDir).sort(), before);
    assert.equal(existsSync(join(work, 'never-made')), false);
    const b = haven(['backup', '--check', join(work, 'x'), '--data-dir', h.dataDir]);
    assert.equal(b.status, 2);
    assert.match(b.stderr, /--check is for haven restore/);
  });

  test('restore into a non-empty directory is refused and leaves it as it was', () => {
    const target = join(work, 'occupied');
    mkdirSync(target);
    writeFileSync(join(target, 'keep.txt'), 'mine');
    const r = haven(['restore', backupDir, '--data-dir', target]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /data directory .*occupied is not empty/);
    assert.deepEqual(readdirSync(target), ['keep.txt']);
  });

  test('restore onto the running server\'s data dir is refused', () => {
    const r = haven(['restore', backupDir, '--data-dir', h.dataDir]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /is not empty/);
  });

  test('a damaged blob is named and nothing is restored', () => {
    const damaged = join(work, 'damaged');
    cpSync(backupDir, damaged, { recursive: true });
    const entry = JSON.parse(readFileSync(join(damaged, 'blob-manifest.jsonl'), 'utf8').trim().split('\n').at(-1)!) as { digest: string };
    const hex = entry.digest.slice('sha256:'.length);
    const file = join(damaged, 'blobs', 'sha256', hex.slice(0, 2), hex);
    const bytes = readFileSync(file);
    bytes[0] = bytes[0]! ^ 0xff;
    writeFileSync(file, bytes);
    const check = haven(['restore', '--check', damaged]);
    assert.equal(check.status, 1, check.stdout);
    assert.match(check.stderr, new RegExp(`blob ${entry.digest} .* does not match its digest`));
    const target = join(work, 'from-damaged');
    const r = haven(['restore', damaged, '--data-dir', target]);
    assert.equal(r.status, 1, r.stdout);
    assert.match(r.stderr, new RegExp(`blob ${entry.digest} .* does not match its digest`));
    assert.equal(existsSync(target), false, 'no data dir was made');
    assert.deepEqual(readdirSync(work).filter((n) => n.includes('restoring')), [], 'no staging directory is left');
  });

  test('a missing blob file is named, and so is damaged metadata', () => {
    const missing = join(work, 'missing-blob');
    cpSync(backupDir, missing, { recursive: true });
    const entry = JSON.parse(readFileSync(join(missing, 'blob-manifest.jsonl'), 'utf8').trim().split('\n')[0]!) as { digest: string };
    const hex = entry.digest.slice('sha256:'.length);
    rmSync(join(missing, 'blobs', 'sha256', hex.slice(0, 2), hex));
    let r = haven(['restore', missing, '--data-dir', join(work, 't1')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`blob ${entry.digest} .* is missing`));
    assert.equal(existsSync(join(work, 't1')), false);

    const meta = join(work, 'damaged-meta');
    cpSync(backupDir, meta, { recursive: true });
    writeFileSync(join(meta, 'metadata', 'users.jsonl'), '{"id":1}\n', { flag: 'a' });
    r = haven(['restore', meta, '--data-dir', join(work, 't2')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /users\.jsonl does not match the checksum in backup\.json \(damaged\)/);
    assert.equal(existsSync(join(work, 't2')), false);
  });

  test('a backup from a newer Haven (a migration this one lacks) is refused', () => {
    const newer = join(work, 'newer');
    cpSync(backupDir, newer, { recursive: true });
    const header = JSON.parse(readFileSync(join(newer, 'backup.json'), 'utf8'));
    header.migrations.push('9999-future');
    header.havenVersion = '9.9.9';
    writeFileSync(join(newer, 'backup.json'), JSON.stringify(header));
    const r = haven(['restore', newer, '--data-dir', join(work, 't4')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /migration 9999-future\) is not one this Haven knows; restore it with Haven 9\.9\.9 or newer/);
    assert.equal(existsSync(join(work, 't4')), false);
  });

  test('a missing backup, an incomplete one (no backup.json) and a file are refused', () => {
    let r = haven(['restore', join(work, 'nope'), '--data-dir', join(work, 't3')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /backup directory .*nope does not exist/);
    const partial = join(work, 'partial');
    cpSync(backupDir, partial, { recursive: true });
    rmSync(join(partial, 'backup.json'));
    r = haven(['restore', partial, '--data-dir', join(work, 't3')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /is not a complete Haven backup/);
    r = haven(['restore', join(partial, 'blob-manifest.jsonl'), '--data-dir', join(work, 't3')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /is a file, not a directory/);
    assert.equal(existsSync(join(work, 't3')), false);
  });

  test('backup refuses a non-empty target and a data dir without a database', () => {
    let r = haven(['backup', backupDir, '--data-dir', h.dataDir, ...dbArgs(h)]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /backup directory .* is not empty/);
    r = haven(['backup', join(work, 'b2'), '--data-dir', join(work, 'no-such-data')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /no Haven database at/);
    assert.equal(existsSync(join(work, 'no-such-data')), false);
    assert.equal(existsSync(join(work, 'b2')), false);
    r = haven(['backup']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /give exactly one directory/);
  });

  // Last: it damages the server's own storage.
  test('backup names a damaged blob in the live storage and leaves no half-made backup', () => {
    const entry = JSON.parse(readFileSync(join(backupDir, 'blob-manifest.jsonl'), 'utf8').trim().split('\n')[0]!) as { digest: string };
    const hex = entry.digest.slice('sha256:'.length);
    const file = join(h.dataDir, 'storage', 'blobs', 'sha256', hex.slice(0, 2), hex);
    const bytes = readFileSync(file);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0x01;
    writeFileSync(file, bytes);
    const target = join(work, 'from-damaged-storage');
    const r = haven(['backup', target, '--data-dir', h.dataDir, ...dbArgs(h)]);
    assert.equal(r.status, 1, r.stdout);
    assert.match(r.stderr, new RegExp(`blob ${entry.digest} \\(.*storage.*\\) does not match its digest \\(damaged\\)`));
    assert.equal(existsSync(target), false);
  });
});
