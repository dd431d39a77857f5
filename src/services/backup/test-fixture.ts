import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { blobPath } from '../../content/blob-content.js';
import type { Db } from '../../db/database.js';

/** What seedInstallation made, for the assertions of the backup and migrate unit tests. */
export interface Seeded {
  manifestContent: Buffer;
  blobDigest: string;
  deletedUserId: number;
}

/**
 * Rows in the tables with foreign keys, awkward text, bytes, a deleted user (its id must stay
 * used) and an upload in flight; plus one blob file under `storageRoot` when given.
 */
export async function seedInstallation(db: Db, storageRoot: string | null): Promise<Seeded> {
  const now = 1_700_000_000_000;
  const manifestContent = Buffer.from([0, 1, 2, 250, 255, 10, 13]);
  const blob = Buffer.from('layer bytes');
  const blobDigest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
  const user = (username: string) => ({ username, email: null, realname: 'Ü ñ "q"', comment: 'line\nbreak', password_hash: 'h', sysadmin: 0, password_changed_at: now, created_at: now, updated_at: now });
  const u = await db.insertInto('users').values(user('u1')).returning('id').executeTakeFirstOrThrow();
  const gone = await db.insertInto('users').values(user('gone')).returning('id').executeTakeFirstOrThrow();
  await db.deleteFrom('users').where('id', '=', gone.id).execute();
  const p = await db.insertInto('projects').values({ name: 'p', owner_id: u.id, public: 0, metadata: '{}', created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  const r = await db.insertInto('repositories').values({ name: 'p/app', project_id: p.id, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('blobs').values({ digest: blobDigest, size: blob.length, created_at: now }).execute();
  await db.insertInto('repository_blobs').values({ repository_id: r.id, digest: blobDigest, created_at: now }).execute();
  const m = await db
    .insertInto('manifests')
    .values({ repository_id: r.id, digest: 'sha256:m', media_type: 'x', artifact_type: null, subject_digest: null, annotations: null, size: manifestContent.length, content: manifestContent, created_at: now, config_media_type: null, extra_attrs: null, pulled_at: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('manifest_references').values({ manifest_id: m.id, digest: blobDigest, kind: 'blob' }).execute();
  await db.insertInto('tags').values({ repository_id: r.id, name: 'v1', manifest_id: m.id, created_at: now, updated_at: now, pulled_at: null }).execute();
  await db.insertInto('upload_sessions').values({ id: 'up1', repository: 'p/app', offset: 3, created_at: now, updated_at: now }).execute();
  if (storageRoot !== null) {
    const file = join(storageRoot, blobPath(blobDigest));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, blob);
  }
  return { manifestContent, blobDigest, deletedUserId: gone.id };
}
