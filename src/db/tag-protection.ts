import { compileRule, deleteRefusal, type ImmutableRuleSpec, overwriteRefusal, type RuleMatcher, withoutProject } from '../domain/immutable/rules.js';
import { AppError } from '../platform/errors.js';
import type { Db } from './database.js';

/**
 * Immutable-tag checks, run inside the transaction of every tag write and removal, so no path
 * (manifest PUT, retag, tag delete, artifact or repository delete, /v2 delete by digest) can
 * move or drop a protected tag. The rules are read in that transaction (one indexed query, no
 * rows in the common case of a project without rules), so a rule created or disabled a moment
 * ago counts at once; only the compiled matchers are remembered, by rule text.
 */

/**
 * The refusal (412 PRECONDITION, Harbor's message) of a write or removal of a protected tag. The
 * write's message is the one Harbor's /v2 middleware gives; an API path that wants the tag
 * controller's instead (`updateRefusal(e.tag)`) can tell the error by its class.
 */
export class ImmutableTagError extends AppError {
  constructor(
    readonly operation: 'write' | 'delete',
    readonly repository: string,
    readonly tag: string,
  ) {
    super('PRECONDITION', operation === 'write' ? overwriteRefusal(repository, tag) : deleteRefusal(tag));
  }
}

const compiled = new Map<string, RuleMatcher>();

function matcherOf(ruleJson: string): RuleMatcher {
  let m = compiled.get(ruleJson);
  if (!m) {
    m = compileRule(JSON.parse(ruleJson) as ImmutableRuleSpec);
    // Rule texts are few (15 per project); the bound only guards against churn.
    if (compiled.size >= 2000) compiled.clear();
    compiled.set(ruleJson, m);
  }
  return m;
}

/** The enabled rules of the repository's project, as one predicate over tags; null when there are none. */
async function protectionOf(db: Db, repositoryId: number): Promise<{ repository: string; covers: (tag: string) => boolean } | null> {
  const rows = await db
    .selectFrom('repositories as r')
    .innerJoin('immutable_rules as ir', 'ir.project_id', 'r.project_id')
    .select(['r.name', 'ir.rule'])
    .where('r.id', '=', repositoryId)
    .where('ir.disabled', '=', 0)
    .execute();
  if (rows.length === 0) return null;
  const repository = withoutProject(rows[0]!.name);
  const matchers = rows.map((r) => matcherOf(r.rule));
  return { repository, covers: (tag) => matchers.some((m) => m(repository, tag)) };
}

/**
 * Refuses to point an existing protected tag at another manifest. Creating the tag is its one
 * push; pointing it again at the manifest it already names changes nothing and is allowed.
 */
export async function checkTagWrite(tx: Db, repositoryId: number, tag: string, manifestId: number): Promise<void> {
  const protection = await protectionOf(tx, repositoryId);
  if (!protection?.covers(tag)) return;
  const current = await tx.selectFrom('tags').select('manifest_id').where('repository_id', '=', repositoryId).where('name', '=', tag).executeTakeFirst();
  if (!current || current.manifest_id === manifestId) return;
  throw new ImmutableTagError('write', protection.repository, tag);
}

/**
 * Throws when any of these tags exists and may not be removed (a tag that does not exist is the
 * caller's "not found", never a refusal).
 */
export async function checkTagsRemovable(tx: Db, repositoryId: number, tags: string[]): Promise<void> {
  if (tags.length === 0) return;
  const protection = await protectionOf(tx, repositoryId);
  if (!protection) return;
  const covered = [...new Set(tags.filter(protection.covers))];
  for (let i = 0; i < covered.length; i += 500) {
    const existing = await tx
      .selectFrom('tags')
      .select('name')
      .where('repository_id', '=', repositoryId)
      .where('name', 'in', covered.slice(i, i + 500))
      .orderBy('name')
      .executeTakeFirst();
    if (existing) throw new ImmutableTagError('delete', protection.repository, existing.name);
  }
}

/** Of `tags` in the repository, those an enabled immutable rule protects (the artifact API's `immutable`). */
export async function immutableAmong(db: Db, repositoryId: number, tags: string[]): Promise<Set<string>> {
  if (tags.length === 0) return new Set();
  const protection = await protectionOf(db, repositoryId);
  return new Set(protection ? tags.filter(protection.covers) : []);
}
