import { AppError } from '../../platform/errors.js';
import { digestOf, parseDigest } from '../../platform/digest.js';
import { isTag, validateTag } from '../../domain/oci/names.js';
import { parseManifest } from '../../domain/oci/manifest.js';
import type { Db } from '../../db/database.js';
import type { StoredManifest } from '../../db/manifests.js';
import type { ArtifactDescriber } from './artifact-description.js';
import type { RegistryDeps } from './deps.js';
import type { RegistryReadCache } from './read-cache.js';

export interface PutResult {
  digest: string;
  subject: string | null;
}

type Reference = { tag: string; digest?: undefined } | { digest: string; tag?: undefined };

/** A reference is a tag or a digest; anything else is refused before touching storage. */
export function parseReference(reference: string): Reference {
  if (reference.includes(':')) return { digest: parseDigest(reference).digest };
  if (isTag(reference)) return { tag: reference };
  throw new AppError('MANIFEST_INVALID', `invalid reference "${reference.slice(0, 200)}"`);
}

/** For reads and deletes a reference that cannot name anything is simply not found. */
function lookupReference(repository: string, reference: string): Reference {
  if (!reference.includes(':') && !isTag(reference)) {
    throw new AppError('MANIFEST_UNKNOWN', `manifest ${reference.slice(0, 200)} not found in ${repository}`);
  }
  return parseReference(reference);
}

export function createManifestService(deps: Pick<RegistryDeps, 'manifests' | 'repositories' | 'blobs' | 'tags'> & { describe?: ArtifactDescriber; cache?: RegistryReadCache }) {
  const { manifests, repositories, blobs, tags, describe, cache } = deps;
  const forget = (repository: string) => cache?.forgets.repository(repository);

  return {
    async get(repository: string, reference: string): Promise<StoredManifest> {
      const ref = lookupReference(repository, reference);
      const load = () => (ref.tag !== undefined ? manifests.byTag(repository, ref.tag) : manifests.byDigest(repository, ref.digest));
      const found = cache ? await cache.manifest(repository, ref.tag !== undefined ? { tag: ref.tag } : { digest: ref.digest }, load) : await load();
      if (!found) throw new AppError('MANIFEST_UNKNOWN', `manifest ${reference} not found in ${repository}`);
      return found;
    },

    async put(repository: string, reference: string, body: Buffer, contentType: string | undefined): Promise<PutResult> {
      const ref = parseReference(reference);
      const algorithm = ref.digest !== undefined ? parseDigest(ref.digest).algorithm : 'sha256';
      const digest = digestOf(body, algorithm);
      if (ref.digest !== undefined && ref.digest !== digest) {
        throw new AppError('DIGEST_INVALID', `manifest digest ${digest} does not match reference ${ref.digest}`);
      }
      if (ref.tag !== undefined) validateTag(ref.tag);
      const parsed = parseManifest(body, contentType);
      const record = {
        digest,
        mediaType: parsed.mediaType,
        artifactType: parsed.artifactType,
        subjectDigest: parsed.subject?.digest ?? null,
        annotations: parsed.annotations ? JSON.stringify(parsed.annotations) : null,
        content: body,
        blobDigests: parsed.blobs.map((d) => d.digest),
        manifestDigests: parsed.manifests.map((d) => d.digest),
      };
      const check = (described: boolean) => async (tx: Db, repositoryId: number) => {
        const missingBlobs = await blobs.missingInRepository(repositoryId, record.blobDigests, tx);
        if (missingBlobs.length > 0) {
          throw new AppError('MANIFEST_BLOB_UNKNOWN', `blob ${missingBlobs[0]} is not in repository ${repository}`, {
            detail: { digests: missingBlobs.slice(0, 20) },
          });
        }
        const missing = await manifests.missingInRepository(tx, repositoryId, record.manifestDigests);
        if (missing.length > 0) {
          throw new AppError('MANIFEST_BLOB_UNKNOWN', `manifest ${missing[0]} is not in repository ${repository}`, {
            detail: { digests: missing.slice(0, 20) },
          });
        }
        // The row this re-push meant to keep was deleted meanwhile: it needs describing after all.
        if (!described && (await manifests.missingInRepository(tx, repositoryId, [digest])).length > 0) throw new NeedsDescription();
      };
      // A re-push of a digest the repository holds keeps its row: nothing to describe again.
      const artifact = describe && !(await manifests.byDigest(repository, digest)) ? await describe(repository, parsed, body) : undefined;
      try {
        await manifests.put(repository, artifact ? { ...record, artifact } : record, ref.tag ?? null, check(artifact !== undefined || !describe));
      } catch (err) {
        if (!(err instanceof NeedsDescription) || !describe) throw err;
        await manifests.put(repository, { ...record, artifact: await describe(repository, parsed, body) }, ref.tag ?? null, check(true));
      }
      // The tag may have moved: no instance may keep answering with the manifest it left. (A push
      // by digest only adds: the cache keeps nothing but what exists, so nothing of it went stale.)
      if (ref.tag !== undefined) await forget(repository);
      return { digest, subject: parsed.subject?.digest ?? null };
    },

    /**
     * By tag: removes only the tag. By digest: removes the manifest and every tag on it, unless an
     * index in the repository still lists it (deleting it would break that index); the
     * repository itself goes with its last manifest, as in Harbor.
     */
    async delete(repository: string, reference: string): Promise<void> {
      const ref = lookupReference(repository, reference);
      if (ref.tag !== undefined) {
        const repositoryId = await repositories.findId(repository);
        if (repositoryId === null) throw new AppError('NAME_UNKNOWN', `repository ${repository} not found`);
        if (!(await tags.delete(repositoryId, ref.tag))) {
          throw new AppError('MANIFEST_UNKNOWN', `tag ${ref.tag} not found in ${repository}`);
        }
        await forget(repository);
        return;
      }
      const r = await manifests.deleteUnlisted(repository, ref.digest);
      if (r.kind === 'deleted') await forget(repository);
      if (r.kind === 'no-repository') throw new AppError('NAME_UNKNOWN', `repository ${repository} not found`);
      if (r.kind === 'unknown') throw new AppError('MANIFEST_UNKNOWN', `manifest ${ref.digest} not found in ${repository}`);
      if (r.kind === 'listed') {
        throw new AppError('DENIED', `manifest ${ref.digest} is still listed by index ${r.by[0]}`, {
          status: 409,
          detail: { indexes: r.by },
        });
      }
    },
  };
}

export type ManifestService = ReturnType<typeof createManifestService>;

/** The manifest row the push meant to keep is gone: describe the artifact and store it anew. */
class NeedsDescription extends Error {}
