import type { Db } from './database.js';

/**
 * Storage quota accounting, run inside the transactions that add and remove manifest rows, so
 * usage can never drift from what the project's manifests reference.
 * TODO(quota): count the digests in project_blobs, refuse over the hard limit, record warnings.
 */
export async function chargeManifest(_tx: Db, _repositoryId: number, _manifestId: number, _now: number): Promise<void> {}

/** Called before the manifest rows are deleted, in the same transaction. */
export async function releaseManifests(_tx: Db, _repositoryId: number, _manifestIds: number[], _now: number): Promise<void> {}
