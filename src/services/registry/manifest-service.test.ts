import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createBlobStore } from '../../db/blobs.js';
import { createManifestStore } from '../../db/manifests.js';
import { createProjectStore } from '../../db/projects.js';
import { createRepositoryStore } from '../../db/repositories.js';
import { createTagStore } from '../../db/tags.js';
import { openTestDatabase } from '../../db/test-database.js';
import { createUserStore } from '../../db/users.js';
import type { ArtifactDescriber } from './artifact-description.js';
import { createManifestService } from './manifest-service.js';

test('a re-push whose held row is deleted before it commits is stored described, not as UNKNOWN', async () => {
  const { db } = await openTestDatabase();
  const owner = await createUserStore(db).create({ username: 'o', email: null, realname: 'O', comment: '', passwordHash: 'x', sysadmin: false });
  await createProjectStore(db).createWithAdmin('p', owner, false, {});
  const manifests = createManifestStore(db);
  let described = 0;
  const describe = (async () => {
    described++;
    return { kind: 'IMAGE', configMediaType: 'application/vnd.oci.image.config.v1+json', totalSize: 123, extraAttrs: null };
  }) as unknown as ArtifactDescriber;
  // The row seemed held when the push looked (another request deletes it right after).
  const lying = { ...manifests, byDigest: async () => ({}) as Awaited<ReturnType<typeof manifests.byDigest>> };
  const service = createManifestService({ manifests: lying, repositories: createRepositoryStore(db), blobs: createBlobStore(db), tags: createTagStore(db), describe });
  const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] }));
  const { digest } = await service.put('p/a', 'v1', body, 'application/vnd.oci.image.index.v1+json');
  assert.equal(described, 1, 'described once the row was found gone');
  const row = await db.selectFrom('manifests').select(['artifact_kind', 'total_size']).where('digest', '=', digest).executeTakeFirstOrThrow();
  assert.deepEqual(row, { artifact_kind: 'IMAGE', total_size: 123 });
});
