import { sql } from 'kysely';
import { type ArtifactEventPayload, domainEventTypes, type TagDeletedPayload } from '../events/domain-events.js';
import { eventOrigin } from '../events/event-context.js';
import type { Db } from './database.js';

/**
 * The artifact and tag events, written into the caller's transaction (the push, the delete), so
 * an event exists exactly when its change does. Who and where come from the request's origin
 * (events/event-context.ts). One insert per pushed manifest: a push pays nothing more.
 */

/** PUSH_ARTIFACT for a manifest PUT (by tag, or by digest: `tag` null). */
export async function recordPush(tx: Db, repositoryId: number, repository: string, digest: string, mediaType: string, tag: string | null, now: number): Promise<void> {
  const payload: ArtifactEventPayload = { ...eventOrigin(), repository, digest, mediaType, tags: tag === null ? [] : [tag] };
  // The project id straight from the repository row: one statement, no extra round trip.
  await tx
    .insertInto('event_outbox')
    .columns(['type', 'project_id', 'payload', 'created_at'])
    .expression((eb) =>
      eb
        .selectFrom('repositories')
        .select([sql.lit(domainEventTypes.pushArtifact).as('type'), 'project_id', sql.val(JSON.stringify(payload)).as('payload'), sql.val(now).as('created_at')])
        .where('id', '=', repositoryId),
    )
    .execute();
}

/**
 * DELETE_ARTIFACT for each of `manifestIds` (the artifacts a user deleted: Harbor fires for the
 * root only, not for the children and accessories that go with it), with the tags they had.
 * Call before the rows go.
 */
export async function recordDeletes(tx: Db, repositoryId: number, manifestIds: number[], now = Date.now()): Promise<void> {
  if (manifestIds.length === 0) return;
  const origin = eventOrigin();
  for (let i = 0; i < manifestIds.length; i += 500) {
    const ids = manifestIds.slice(i, i + 500);
    const rows = await tx
      .selectFrom('manifests as m')
      .innerJoin('repositories as r', 'r.id', 'm.repository_id')
      .select(['m.id', 'm.digest', 'm.media_type', 'r.name', 'r.project_id'])
      .where('m.repository_id', '=', repositoryId)
      .where('m.id', 'in', ids)
      .orderBy('m.id')
      .execute();
    if (rows.length === 0) continue;
    const tags = await tx.selectFrom('tags').select(['manifest_id', 'name']).where('manifest_id', 'in', ids).orderBy('name').execute();
    await tx
      .insertInto('event_outbox')
      .values(
        rows.map((m) => {
          const payload: ArtifactEventPayload = {
            ...origin,
            repository: m.name,
            digest: m.digest,
            mediaType: m.media_type,
            tags: tags.filter((t) => t.manifest_id === m.id).map((t) => t.name),
          };
          return { type: domainEventTypes.deleteArtifact, project_id: m.project_id, payload: JSON.stringify(payload), created_at: now };
        }),
      )
      .execute();
  }
}

/** DELETE_ARTIFACT for every artifact of a repository being deleted (accessories go with their subject). */
export async function recordRepositoryDelete(tx: Db, repositoryId: number, now = Date.now()): Promise<void> {
  const roots = await tx.selectFrom('manifests').select('id').where('repository_id', '=', repositoryId).where('subject_digest', 'is', null).execute();
  await recordDeletes(tx, repositoryId, roots.map((r) => r.id), now);
}

/** DELETE_TAG for a tag about to be removed (nothing when there is no such tag). */
export async function recordTagDelete(tx: Db, repositoryId: number, tag: string, now = Date.now()): Promise<void> {
  const row = await tx
    .selectFrom('tags as t')
    .innerJoin('manifests as m', 'm.id', 't.manifest_id')
    .innerJoin('repositories as r', 'r.id', 't.repository_id')
    .select(['m.digest', 'r.name', 'r.project_id'])
    .where('t.repository_id', '=', repositoryId)
    .where('t.name', '=', tag)
    .executeTakeFirst();
  if (!row) return;
  const payload: TagDeletedPayload = { ...eventOrigin(), repository: row.name, tag, digest: row.digest };
  await tx.insertInto('event_outbox').values({ type: domainEventTypes.deleteTag, project_id: row.project_id, payload: JSON.stringify(payload), created_at: now }).execute();
}
