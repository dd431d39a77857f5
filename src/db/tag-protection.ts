import type { Db } from './database.js';

/**
 * Immutable-tag checks, run inside the transaction of every tag write and removal, so no path
 * (manifest PUT, retag, tag delete, artifact or repository delete, /v2 delete by digest) can
 * move or drop a protected tag.
 * TODO(immutable): match the project's enabled rules; throw Harbor's error.
 */
export async function checkTagWrite(_tx: Db, _repositoryId: number, _tag: string, _manifestId: number): Promise<void> {}

/** Throws when any of these tags may not be removed. */
export async function checkTagsRemovable(_tx: Db, _repositoryId: number, _tags: string[]): Promise<void> {}

/** Of `tags` in the repository, those an enabled immutable rule protects (the artifact API's `immutable`). */
export async function immutableAmong(_db: Db, _repositoryId: number, _tags: string[]): Promise<Set<string>> {
  return new Set();
}
