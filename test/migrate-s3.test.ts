// @haven-own-database: chooses its own databases, so the PostgreSQL pass of npm test skips it.
// `haven migrate --to postgres://... --storage-to s3`: an embedded installation (SQLite + files)
// with images is stopped and moved to PostgreSQL and a Swift bucket. The move is killed (-9) once
// mid-copy, a copied blob is damaged in the bucket, the re-run's verify names it, the next run
// completes, and Haven on PostgreSQL + S3 (its storage/ moved away) serves every image, digests
// checked. Also: blobs only (--storage-to s3 without --to), and the refusals of a bad bucket,
// bad credentials and an unreachable endpoint, named by setting, before anything is written.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ListMultipartUploadsCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import pg from 'pg';
import { createS3Client } from '../src/storage/s3-client.js';
import { postgres } from './backends/postgres.js';
import { freePort } from './backends/ports.js';
import { startS3, swiftAvailable, type S3Backend } from './backends/s3.js';
import { eventually } from './helpers/eventually.js';
import { havenBin, startHaven, type RunningHaven } from './helpers/haven.js';
import { asAdmin, type Blob, pushImage, sha256 } from './helpers/oci.js';
import { readLayoutBlobs, readLayoutIndex } from './helpers/oci-layout.js';
import { describeRun, run } from './helpers/run.js';
import { requireTool } from './helpers/tools.js';

interface Image {
  repo: string;
  tag: string;
  digest: string;
  manifest: Buffer;
  layers: Blob[];
}

const mib = 1024 ** 2;

if (swiftAvailable()) {
  describe('haven migrate --storage-to s3', { timeout: 600_000 }, () => {
    let s3: S3Backend;
    let bucket = '';
    let client: S3Client;
    let work = '';
    let dataDir = '';
    let url = '';
    const images: Image[] = [];
    let h: RunningHaven | undefined;

    /** The source's settings: the bucket as storage.s3.*, the driver still the data directory's. */
    const s3Env = (extra: Record<string, string> = {}) => {
      const { HAVEN_STORAGE_DRIVER: _, ...rest } = s3.env(bucket);
      return { ...rest, ...extra };
    };
    const env = (extra: Record<string, string> = {}) => ({ ...process.env, HAVEN_CONFIG: '/dev/null', HAVEN_DATABASE_URL: '', ...s3Env(extra) });
    const migrate = (args: string[], extra: Record<string, string> = {}) =>
      spawnSync(process.execPath, [havenBin, 'migrate', ...args, '--data-dir', dataDir], { encoding: 'utf8', timeout: 300_000, env: env(extra) });
    const bucketKeys = async (prefix: string) => {
      const keys: Array<{ key: string; size: number }> = [];
      let token: string | undefined;
      do {
        const r = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }));
        for (const o of r.Contents ?? []) keys.push({ key: o.Key!, size: o.Size ?? 0 });
        token = r.IsTruncated ? r.NextContinuationToken : undefined;
      } while (token);
      return keys;
    };
    const multipartUploads = async () => (await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? [];
    const keyOf = (digest: string) => `blobs/sha256/${digest.slice(7, 9)}/${digest.slice(7)}`;

    before(async () => {
      s3 = await startS3();
      bucket = await s3.bucket('migrate');
      client = createS3Client(s3.settings(bucket));
      work = mkdtempSync(join(tmpdir(), 'haven-migrate-s3-'));
      dataDir = join(work, 'data');
      h = await startHaven({ dataDir, projects: ['alpha'], env: { HAVEN_DATABASE_URL: '' } });
      // Small blobs (one PutObject each) and large ones (streamed as 5 MiB parts), so a kill
      // lands in the middle of a multipart copy.
      for (const [repo, tag, layers, size] of [
        ['alpha/app', 'v1', 3, 64 * 1024],
        ['alpha/app', 'v2', 2, 1024],
        ['alpha/team/web', 'v1', 4, 200 * 1024],
        ['alpha/big', 'v1', 4, 16 * mib],
      ] as const) {
        images.push({ repo, tag, ...(await pushImage(asAdmin(h), repo, tag, layers, size)) });
      }
      await h.stop();
      h = undefined;
      url = await (await postgres()).createDatabase('migrated_s3');
    });

    after(async () => {
      await h?.stop();
      client?.destroy();
      if (url) await (await postgres()).dropDatabase(url);
      await s3?.stop();
      if (work) rmSync(work, { recursive: true, force: true });
    });

    test('a missing bucket, bad credentials, an unreachable endpoint or no bucket setting: one line naming the setting, nothing written', async () => {
      let r = migrate(['--to', url, '--storage-to', 's3'], { HAVEN_STORAGE_S3_BUCKET: 'no-such-bucket' });
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /^\nhaven migrate: storage\.s3\.bucket: bucket no-such-bucket does not exist at http:\/\/127\.0\.0\.1:\d+\n$/);
      r = migrate(['--to', url, '--storage-to', 's3'], { HAVEN_STORAGE_S3_SECRET_KEY: 'wrong' });
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /haven migrate: storage\.s3\.accessKey\/storage\.s3\.secretKey: S3 at .* refused the credentials/);
      assert.doesNotMatch(r.stderr, /wrong/, 'the secret is never printed');
      r = migrate(['--to', url, '--storage-to', 's3'], { HAVEN_STORAGE_S3_ENDPOINT: `http://127.0.0.1:${await freePort()}` });
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /haven migrate: storage\.s3\.endpoint: cannot reach S3 at http:\/\/127\.0\.0\.1:\d+/);
      r = migrate(['--storage-to', 's3'], { HAVEN_STORAGE_S3_BUCKET: '' });
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /storage\.s3\.bucket: is required with --storage-to s3 \(config file, HAVEN_STORAGE_S3_BUCKET or --storage-s3-bucket\)/);
      r = migrate(['--storage-to', 's3'], { HAVEN_STORAGE_DRIVER: 's3' });
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /already keeps its blobs in S3/);
      r = migrate(['--storage-to', 'gcs']);
      assert.equal(r.status, 2);
      assert.match(r.stderr, /--storage-to takes s3/);

      const target = new pg.Client({ connectionString: url });
      await target.connect();
      try {
        const t = await target.query("select count(*)::int as n from information_schema.tables where table_schema = 'public'");
        assert.equal(t.rows[0].n, 0, 'the PostgreSQL target is untouched');
      } finally {
        await target.end();
      }
      assert.deepEqual(await bucketKeys(''), [], 'the bucket is untouched');
    });

    test('killed mid-copy, a damaged copy named by the verify, then completed by a re-run', async () => {
      const child = spawn(process.execPath, [havenBin, 'migrate', '--to', url, '--storage-to', 's3', '--data-dir', dataDir], { env: env(), stdio: 'ignore' });
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      let running = true;
      void exited.then(() => (running = false));
      // Killed while a large blob streams in (its multipart upload open) and a small one is there.
      await eventually(
        async () => {
          if (!running) return;
          assert.ok((await multipartUploads()).length > 0);
          assert.ok((await bucketKeys('blobs/')).some((o) => o.size > 0 && o.size < mib), 'a small blob is there, to damage');
        },
        { timeoutMs: 120_000, intervalMs: 10 },
      );
      assert.ok(running, 'the move was still copying when it was killed');
      child.kill('SIGKILL');
      await exited;
      const there = await bucketKeys('blobs/');
      const all = new Set(images.flatMap((i) => i.layers.map((l) => keyOf(l.digest))));
      assert.ok(there.length < all.size + images.length, 'killed before every blob was copied');

      // A copied blob overwritten with other bytes of its size: the re-run skips it (right size)
      // and its verify, reading the bucket back, names it.
      const small = there.find((o) => o.size > 0 && o.size < mib)!;
      assert.ok(small, 'a small blob was copied before the kill');
      const damagedDigest = `sha256:${small.key.split('/').at(-1)}`;
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: small.key, Body: randomBytes(small.size), ContentLength: small.size }));
      let r = migrate(['--to', url, '--storage-to', 's3']);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`haven migrate: verify: blob ${damagedDigest} in the S3 bucket ${bucket} at .* does not match its digest .*run haven migrate again`));
      assert.equal(r.stdout, '');
      assert.deepEqual(await multipartUploads(), [], 'the killed run’s multipart upload was aborted');

      r = migrate(['--to', url, '--storage-to', 's3']);
      assert.equal(r.status, 0, r.stderr);
      const blobCount = new Set(images.flatMap((i) => [...i.layers.map((l) => l.digest)])).size + images.length;
      const copied = /^copied (\d+) blobs to the S3 bucket \S+ at \S+ \(resumed: (\d+) were already there\); (\d+) blobs \(.*\) verified by size and sha256$/m.exec(r.stdout);
      assert.ok(copied, r.stdout);
      assert.equal(Number(copied[3]), blobCount);
      assert.ok(Number(copied[1]) >= 1 && Number(copied[2]) >= 1, r.stdout);
      assert.match(r.stdout, /^moved \d+ rows in \d+ tables to postgres:\/\/.*verified by row counts and digests/m);
      assert.match(r.stdout, /next: start haven serve with .*database\.url .*storage\.driver s3/);
      assert.match(r.stderr, new RegExp(`blobs: (\\S+ \\S+)/\\1 \\(100%\\), ${blobCount}/${blobCount} blobs`), 'progress: bytes and blobs');
      assert.match(r.stderr, new RegExp(`verified blobs: (\\S+ \\S+)/\\1 \\(100%\\), ${blobCount}/${blobCount} blobs`));
      assert.match(r.stderr, /verified rows: (\d+)\/\1 \(100%\)/);
      assert.deepEqual(await multipartUploads(), []);
      assert.deepEqual(await bucketKeys('uploads/'), [], 'no upload object is left in the bucket');
      assert.equal((await bucketKeys('blobs/')).length, blobCount);
    });

    test('Haven on PostgreSQL + S3, its storage/ moved away, serves every image with its digests', async (t) => {
      renameSync(join(dataDir, 'storage'), join(work, 'storage-moved-away'));
      const rh = await startHaven({ dataDir, env: { HAVEN_DATABASE_URL: url, ...s3.env(bucket) } });
      h = rh;
      const reg = asAdmin(rh);
      for (const img of images) {
        const m = await fetch(`${rh.url}/v2/${img.repo}/manifests/${img.tag}`, { headers: { ...reg.headers, Accept: 'application/vnd.oci.image.manifest.v1+json' } });
        assert.equal(m.status, 200, `${img.repo}:${img.tag}`);
        assert.equal(sha256(Buffer.from(await m.arrayBuffer())), img.digest);
        const manifest = JSON.parse(img.manifest.toString()) as { config: { digest: string }; layers: { digest: string }[] };
        for (const d of [manifest.config.digest, ...manifest.layers.map((l) => l.digest)]) {
          const b = await fetch(`${rh.url}/v2/${img.repo}/blobs/${d}`, { headers: reg.headers });
          assert.equal(b.status, 200, d);
          assert.equal(sha256(Buffer.from(await b.arrayBuffer())), d);
        }
      }
      if (requireTool(t, 'skopeo')) {
        const authFile = join(work, 'auth.json');
        writeFileSync(authFile, JSON.stringify({ auths: { [rh.host]: { auth: Buffer.from(`admin:${rh.admin.password}`).toString('base64') } } }));
        const out = join(work, 'pulled');
        mkdirSync(out);
        const args = ['copy', '--preserve-digests', '--src-tls-verify=false', `docker://${rh.host}/alpha/big:v1`, `oci:${out}:v1`];
        const c = await run('skopeo', args, { env: { REGISTRY_AUTH_FILE: authFile }, timeoutMs: 120_000 });
        assert.equal(c.code, 0, describeRun('skopeo', args, c));
        assert.equal(readLayoutIndex(out).manifests[0]!.digest, images.find((i) => i.repo === 'alpha/big')!.digest);
        const blobs = readLayoutBlobs(out);
        assert.equal(blobs.size, 6, 'manifest, config and four layers');
        for (const [digest, bytes] of blobs) assert.equal(sha256(bytes), digest);
      }
      // New pushes land in the bucket.
      const pushed = await pushImage(reg, 'alpha/after', 'v1');
      assert.ok((await bucketKeys(keyOf(pushed.layers[0]!.digest))).length === 1);
      await rh.stop();
      h = undefined;
    });

    test('blobs only: --storage-to s3 without --to re-checks the bucket, haven.db stays the metadata', async () => {
      renameSync(join(work, 'storage-moved-away'), join(dataDir, 'storage'));
      const r = migrate(['--storage-to', 's3']);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^copied 0 blobs to the S3 bucket .* \(resumed: (\d+) were already there\); \1 blobs .* verified by size and sha256$/m);
      assert.doesNotMatch(r.stdout, /moved \d+ rows/);
      assert.match(r.stdout, /next: start haven serve with --data-dir \S+, storage\.driver s3/);
      const rh = await startHaven({ dataDir, env: { HAVEN_DATABASE_URL: '', ...s3.env(bucket) } });
      h = rh;
      const img = images[0]!;
      const m = await fetch(`${rh.url}/v2/${img.repo}/manifests/${img.tag}`, { headers: { ...asAdmin(rh).headers, Accept: 'application/vnd.oci.image.manifest.v1+json' } });
      assert.equal(m.status, 200);
      const b = await fetch(`${rh.url}/v2/${img.repo}/blobs/${img.layers[0]!.digest}`, { headers: asAdmin(rh).headers });
      assert.equal(sha256(Buffer.from(await b.arrayBuffer())), img.layers[0]!.digest);
    });
  });
} else {
  describe.skip('haven migrate --storage-to s3 (python3-swift is not installed)');
}
