import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import pino from 'pino';
import { createBlobContent } from '../../content/blob-content.js';
import { createBlobStore } from '../../db/blobs.js';
import { createProjectStore } from '../../db/projects.js';
import { openTestDatabase } from '../../db/test-database.js';
import { createUploadStore } from '../../db/uploads.js';
import { createUserStore } from '../../db/users.js';
import { AppError } from '../../platform/errors.js';
import type { HeldKey, KeyedLocks } from '../../platform/keyed-lock.js';
import { createFilesystemDriver } from '../../storage/filesystem-driver.js';
import { createSpaceGuard } from './space-guard.js';
import { createUploadService } from './upload-service.js';

/** Locks whose every hold is lost (its shared store gone past the TTL) when `loseAll` is called. */
function losableLocks() {
  const held = new Map<string, AbortController>();
  const locks: KeyedLocks = {
    async tryAcquire(key) {
      if (held.has(key)) return null;
      const lost = new AbortController();
      held.set(key, lost);
      const release: HeldKey = Object.assign(async () => void held.delete(key), { lost: lost.signal });
      return release;
    },
  };
  return { locks, loseAll: () => held.forEach((c) => c.abort(new Error('lock lost'))) };
}

async function setup() {
  const { db } = await openTestDatabase();
  const owner = await createUserStore(db).create({ username: 'o', email: null, realname: 'O', comment: '', passwordHash: 'x', sysadmin: false });
  await createProjectStore(db).createWithAdmin('p', owner, false, {});
  const { locks, loseAll } = losableLocks();
  const uploads = createUploadService({
    blobs: createBlobStore(db),
    uploads: createUploadStore(db),
    content: createBlobContent(createFilesystemDriver(mkdtempSync(join(tmpdir(), 'haven-upload-svc-')))),
    log: pino({ level: 'silent' }),
    locks,
    space: createSpaceGuard({ free: async () => null, reserve: 0 }),
  });
  return { uploads, loseAll, blobs: createBlobStore(db) };
}

test('a chunk whose upload lock is lost while it streams is refused with 503 and leaves the offset where it was', async () => {
  const { uploads, loseAll } = await setup();
  const start = await uploads.start('p/a', { canRead: async () => true });
  assert.equal(start.kind, 'session');
  const id = start.kind === 'session' ? start.id : '';
  // The body stalls half-way; meanwhile the lock is lost (another instance may hold it now).
  const body = new Readable({ read() {} });
  body.push(Buffer.alloc(1000, 1));
  const patch = uploads.patch('p/a', id, body, null);
  setTimeout(() => {
    loseAll();
    body.push(Buffer.alloc(1000, 2));
    body.push(null);
  }, 20);
  await assert.rejects(patch, (e: unknown) => e instanceof AppError && e.status === 503 || (e as Error).name === 'AbortError' || /lock lost|aborted/.test(String(e)));
  assert.equal(await uploads.status('p/a', id), 0, 'nothing of that chunk counts');
});

test('a commit whose upload lock is lost before it commits is refused and commits nothing', async () => {
  const { uploads, loseAll, blobs } = await setup();
  const start = await uploads.start('p/a', { canRead: async () => true });
  const id = start.kind === 'session' ? start.id : '';
  const bytes = Buffer.alloc(4096, 7);
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  assert.equal(await uploads.patch('p/a', id, Readable.from([bytes]), null), bytes.length);
  const body = new Readable({ read() {} });
  const finish = uploads.finish('p/a', id, digest, body, null);
  setTimeout(() => {
    loseAll();
    body.push(null);
  }, 20);
  await assert.rejects(finish);
  assert.equal(await blobs.sizeInRepository('p/a', digest), null, 'no blob was committed');
});
