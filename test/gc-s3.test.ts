// GC on the S3 driver (Swift's s3api): what a dry run reports is what the real run deletes from
// the bucket (batch deletes), and a multi-arch image skopeo pushed stays whole: skopeo copies it
// back out, verifying every digest.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { startS3, swiftAvailable, type S3Backend } from './backends/s3.js';
import { figures, runGc } from './helpers/gc.js';
import { havenSql } from './helpers/haven-db.js';
import { startHaven, type RunningHaven } from './helpers/haven.js';
import { writeTestLayout } from './helpers/oci-layout.js';
import { asAdmin, pushBlob, pushImage, randomBlob } from './helpers/oci.js';
import { describeRun, run } from './helpers/run.js';
import { requireTool } from './helpers/tools.js';
import { createS3Client } from '../src/storage/s3-client.js';

describe('GC on S3 storage', { skip: !swiftAvailable() && 'python3-swift is not installed', timeout: 300_000 }, () => {
  let s3: S3Backend;
  let bucket: string;
  let client: S3Client;
  let h: RunningHaven;
  let work: string;

  before(async () => {
    s3 = await startS3();
    bucket = await s3.bucket();
    client = createS3Client(s3.settings(bucket));
    h = await startHaven({ projects: ['g'], env: { ...s3.env(bucket), HAVEN_JOBS_POLL_INTERVAL: '100', HAVEN_GC_MIN_AGE: '1h' } });
    work = mkdtempSync(join(tmpdir(), 'haven-gc-s3-'));
  });
  after(async () => {
    await h?.cleanup();
    client?.destroy();
    await s3?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function blobObjects(): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'blobs/', ...(token ? { ContinuationToken: token } : {}) }));
      for (const o of page.Contents ?? []) out.set(o.Key!, o.Size ?? 0);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  test('dry run figures = what the real run removes from the bucket; the image skopeo pushed stays whole', async (t) => {
    if (!requireTool(t, 'skopeo')) return;
    const authFile = join(work, 'auth.json');
    writeFileSync(authFile, JSON.stringify({ auths: { [h.host]: { auth: Buffer.from(`admin:${h.admin.password}`).toString('base64') } } }));
    const skopeo = async (args: string[]) => {
      const r = await run('skopeo', args, { timeoutMs: 60_000, env: { REGISTRY_AUTH_FILE: authFile } });
      assert.equal(r.code, 0, describeRun('skopeo', args, r));
    };
    const layout = writeTestLayout(join(work, 'layout'), { tag: 'v1' });
    await skopeo(['copy', '--all', '--dest-tls-verify=false', `oci:${layout.dir}:v1`, `docker://${h.host}/g/app:v1`]);

    const reg = asAdmin(h);
    const junk = await pushImage(reg, 'g/junk', 'v1', 3, 4000);
    assert.equal((await fetch(`${h.url}/v2/g/junk/manifests/${junk.digest}`, { method: 'DELETE', headers: reg.headers })).status, 202);
    await pushBlob(reg, 'g/junk', randomBlob(2500).bytes);
    await havenSql(h, 'update blobs set created_at = ?', [Date.now() - 2 * 3_600_000]);
    const garbageBytes = 64 + 3 * 4000 + 2500;

    const before = await blobObjects();
    const dry = await runGc(h, { dry_run: true });
    assert.equal(dry.job_status, 'Success', dry.log);
    assert.deepEqual(figures(dry.log), { blobs: 5, manifests: 0 });
    assert.deepEqual(await blobObjects(), before);

    const real = await runGc(h, { workers: 2 });
    assert.equal(real.job_status, 'Success', real.log);
    assert.deepEqual(figures(real.log), { blobs: 5, manifests: 0 });
    const afterGc = await blobObjects();
    assert.equal(afterGc.size, before.size - 5);
    const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    assert.equal(sum(before) - sum(afterGc), garbageBytes, 'the bucket shows what was freed');
    for (const l of junk.layers) assert.ok(!afterGc.has(`blobs/sha256/${l.digest.slice(7, 9)}/${l.digest.slice(7)}`));

    // skopeo verifies every digest it copies.
    await skopeo(['copy', '--all', '--src-tls-verify=false', `docker://${h.host}/g/app:v1`, `oci:${join(work, 'out')}:v1`]);
  });
});
