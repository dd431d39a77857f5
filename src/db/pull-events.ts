import { domainEventTypes, type ArtifactEventPayload, type EventOrigin } from '../events/domain-events.js';
import type { Db } from './database.js';
import type { ManifestPulls } from './pull-stats.js';

/**
 * PULL_ARTIFACT events, written with the pull tracker's batch (never one write per pull): the
 * pulls of one manifest in one flush interval become one event per operator and reference (tag,
 * or the digest), carrying how many pulls it stands for. Harbor sends one per pull; a receiver
 * counting pulls reads `count` here, and a registry under a pull storm is not slowed by it.
 */

export interface PullEvent {
  origin: EventOrigin;
  tag: string | null;
  at: number;
  count: number;
}

/** Distinct operator-and-reference pairs kept per manifest and flush; more are folded into the last. */
const maxEventsPerManifest = 100;

export function addPullEvent(p: ManifestPulls, tag: string | null, origin: EventOrigin, at: number): void {
  const events = (p.events ??= new Map());
  const key = `${origin.operator}\n${tag ?? ''}`;
  const e = events.get(key);
  if (e) {
    e.count++;
    e.at = at;
  } else if (events.size < maxEventsPerManifest) events.set(key, { origin, tag, at, count: 1 });
  else [...events.values()].at(-1)!.count++;
}

/** Folds the events of a failed flush back into what came meanwhile. */
export function mergePullEvents(into: ManifestPulls, from: ManifestPulls): void {
  for (const [key, e] of from.events ?? []) {
    const events = (into.events ??= new Map());
    const have = events.get(key);
    if (have) have.count += e.count;
    else events.set(key, e);
  }
}

/** Inside the flush's transaction: one outbox row per event of the manifests still there. */
export async function writePullEvents(tx: Db, part: ManifestPulls[]): Promise<void> {
  const withEvents = part.filter((p) => p.events && p.events.size > 0);
  if (withEvents.length === 0) return;
  const rows = await tx
    .selectFrom('manifests as m')
    .innerJoin('repositories as r', 'r.id', 'm.repository_id')
    .select(['m.id', 'm.digest', 'm.media_type', 'r.name', 'r.project_id'])
    .where('m.id', 'in', withEvents.map((p) => p.manifestId))
    .execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  const values = [];
  for (const p of withEvents) {
    const m = byId.get(p.manifestId);
    if (!m) continue;
    for (const e of p.events!.values()) {
      const payload: ArtifactEventPayload = { ...e.origin, repository: m.name, digest: m.digest, mediaType: m.media_type, tags: e.tag === null ? [] : [e.tag], count: e.count };
      values.push({ type: domainEventTypes.pullArtifact, project_id: m.project_id, payload: JSON.stringify(payload), created_at: e.at });
    }
  }
  for (let i = 0; i < values.length; i += 200) await tx.insertInto('event_outbox').values(values.slice(i, i + 200)).execute();
}
