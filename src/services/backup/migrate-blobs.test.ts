import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { blobPath } from '../../content/blob-content.js';
import { migrateToLatest, openSqlite, type DatabaseHandle } from '../../db/database.js';
import type { AnyDb } from '../../db/snapshot.js';
import type { Progress } from '../../platform/progress.js';
import { createFilesystemDriver } from '../../storage/filesystem-driver.js';
import { BackupRefusal } from './backup.js';
import { migrateBlobs, type MigrateBlobsOptions } from './migrate-blobs.js';

/** Records phases and what advanced in each. */
function recorder() {
  const phases: Array<{ label: string; total: number; count?: number; units: number; items: number }> = [];
  const progress: Progress = {
    phase: (label, total, opts) => void phases.push({ label, total, ...(opts?.count ? { count: opts.count.total } : {}), units: 0, items: 0 }),
    advance: (units, items = 0) => {
      phases.at(-1)!.units += units;
      phases.at(-1)!.items += items;
    },
    done: () => {},
  };
  return { phases, progress };
}

// Two filesystem drivers stand in for the data dir and the bucket: the copy only uses BlobDriver.
describe('migrateBlobs: every recorded blob copied once, verified by reading it back', () => {
  let work: string;
  let db: DatabaseHandle;
  let fromRoot: string;
  let toRoot: string;
  const blobs: Array<{ digest: string; bytes: Buffer }> = [];
  const partSize = 64 * 1024;

  const options = (progress: Progress): MigrateBlobsOptions => ({
    source: db.db as AnyDb,
    from: createFilesystemDriver(fromRoot),
    to: createFilesystemDriver(toRoot),
    toName: 'test target',
    partSize,
    progress,
    parallel: 2,
  });
  const file = (root: string, digest: string) => join(root, blobPath(digest));

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'haven-migrate-blobs-'));
    fromRoot = join(work, 'from');
    db = openSqlite(join(work, 'haven.db'));
    await migrateToLatest(db);
    // Small (one put), large (an upload of several parts) and empty blobs.
    for (const size of [0, 10, 1000, partSize, partSize + 1, 5 * partSize + 7]) {
      const bytes = randomBytes(size);
      const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
      blobs.push({ digest, bytes });
      mkdirSync(dirname(file(fromRoot, digest)), { recursive: true });
      writeFileSync(file(fromRoot, digest), bytes);
      await db.db.insertInto('blobs').values({ digest, size, created_at: 1 }).execute();
    }
  });
  beforeEach(() => {
    toRoot = join(work, `to-${Math.random().toString(36).slice(2)}`);
  });
  after(async () => {
    await db.close();
    rmSync(work, { recursive: true, force: true });
  });

  test('copies all, reports bytes and blobs, leaves no upload; a re-run copies nothing and verifies all', async () => {
    const first = recorder();
    const s = await migrateBlobs(options(first.progress));
    const bytes = blobs.reduce((a, b) => a + b.bytes.length, 0);
    assert.deepEqual(s, { blobs: blobs.length, bytes, skipped: 0 });
    for (const b of blobs) assert.ok(readFileSync(file(toRoot, b.digest)).equals(b.bytes));
    assert.deepEqual(
      first.phases.map((p) => ({ ...p })),
      [
        { label: 'blobs', total: bytes, count: blobs.length, units: bytes, items: blobs.length },
        { label: 'verified blobs', total: bytes, count: blobs.length, units: bytes, items: blobs.length },
      ],
    );
    const uploads = join(toRoot, 'uploads');
    assert.deepEqual(existsSync(uploads) ? readdirSync(uploads) : [], [], 'no upload left in the target');
    const again = await migrateBlobs(options(recorder().progress));
    assert.equal(again.skipped, blobs.length);
  });

  test('a damaged source blob stops the copy naming it, and nothing is placed at its address', async () => {
    const victim = blobs.at(-1)!;
    const good = readFileSync(file(fromRoot, victim.digest));
    const bad = Buffer.from(good);
    bad[100] = bad[100]! ^ 0xff;
    writeFileSync(file(fromRoot, victim.digest), bad);
    try {
      await assert.rejects(migrateBlobs(options(recorder().progress)), (err: Error) => {
        assert.ok(err instanceof BackupRefusal);
        assert.match(err.message, new RegExp(`^blob ${victim.digest} in the data directory .* does not match its digest .*; it was not copied$`));
        return true;
      });
      assert.equal(existsSync(file(toRoot, victim.digest)), false);
    } finally {
      writeFileSync(file(fromRoot, victim.digest), good);
    }
  });

  test('a blob recorded but missing from the data directory is named', async () => {
    const victim = blobs[2]!;
    const path = file(fromRoot, victim.digest);
    rmSync(path);
    try {
      await assert.rejects(migrateBlobs(options(recorder().progress)), new RegExp(`blob ${victim.digest} is recorded in the database but missing from the data directory`));
    } finally {
      writeFileSync(path, victim.bytes);
    }
  });

  test('a copy damaged in the target after the copy is named by the verify and removed; the next run repairs it', async () => {
    await migrateBlobs(options(recorder().progress));
    const victim = blobs[3]!;
    const bad = Buffer.from(victim.bytes);
    bad[0] = bad[0]! ^ 1;
    writeFileSync(file(toRoot, victim.digest), bad);
    await assert.rejects(migrateBlobs(options(recorder().progress)), new RegExp(`verify: blob ${victim.digest} in the test target .* does not match its digest`));
    assert.equal(existsSync(file(toRoot, victim.digest)), false, 'removed, so that a re-run copies it again');
    const s = await migrateBlobs(options(recorder().progress));
    assert.equal(s.skipped, blobs.length - 1);
    assert.ok(readFileSync(file(toRoot, victim.digest)).equals(victim.bytes));
    // A copy of the wrong size is caught without reading it.
    writeFileSync(file(toRoot, victim.digest), victim.bytes.subarray(1));
    const s2 = await migrateBlobs(options(recorder().progress));
    assert.equal(s2.skipped, blobs.length - 1, 'a wrong size is not skipped: copied again');
  });
});
