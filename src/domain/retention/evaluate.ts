import { withoutProject } from '../immutable/rules.js';
import type { RetentionPolicy, RetentionRule } from './policy.js';
import { compileRepositorySelectors, compileTagSelectors } from './selectors.js';
import { describeTemplate, selectByTemplate, type TemplateCandidate } from './templates.js';

/**
 * One retention task: which artifacts of one repository a policy keeps, and why (Harbor's
 * launcher, or/processor, retain performer and job.go, as one pure pass). The job loads the
 * repository's artifacts, calls evaluateRepository, deletes `toDelete` in order (unless dry run)
 * and writes `decisions` to the task log.
 */

export interface RetentionTag {
  name: string;
  /** Epoch milliseconds. */
  pushedAt: number;
  pulledAt: number | null;
  /** Whether an immutable tag rule of the project protects this tag. */
  immutable: boolean;
}

export interface RetentionArtifact {
  digest: string;
  /** Epoch milliseconds. */
  pushedAt: number;
  pulledAt: number | null;
  tags: readonly RetentionTag[];
  /** Label names. */
  labels: readonly string[];
  /** Artifact type (IMAGE, CHART, ...), only for the log. */
  type?: string | undefined;
  /** Digests of the indexes of this repository that list it. */
  parents?: readonly string[] | undefined;
  /** For an accessory (signature, SBOM, referrer): the digest of its subject. */
  subject?: string | null | undefined;
}

/**
 * Why an artifact stays or goes:
 * - rule: retained by the rules in `rules`;
 * - immutable: no rule retains it, but it (or an accessory that would go with it) has an immutable tag;
 * - parent / subject: not a candidate itself (an untagged index child, an accessory), or listed by
 *   a kept index: it follows `follows`;
 * - none: no rule retains it.
 */
export type RetentionCause = 'rule' | 'immutable' | 'parent' | 'subject' | 'none';

export interface RetentionDecision {
  digest: string;
  tags: string[];
  labels: string[];
  type?: string | undefined;
  /** The latest push and pull of the artifact and its tags, epoch milliseconds (what the templates saw). */
  pushedAt: number;
  pulledAt: number | null;
  action: 'retain' | 'delete';
  cause: RetentionCause;
  /** Positions (from 0) in policy.rules of the rules that retained it. */
  rules: number[];
  /** The index or subject it follows, for causes parent and subject. */
  follows?: string | undefined;
  reason: string;
}

export interface RepositoryPlan {
  repository: string;
  /** Positions (from 0) in policy.rules of the rules that apply to this repository. */
  rules: number[];
  /** Every artifact given, newest push first, ties by digest. */
  decisions: RetentionDecision[];
  /**
   * What the job deletes itself, indexes before what they list: an index's untagged children and
   * an artifact's accessories are not here, they go with it (the artifact delete cascades).
   */
  toDelete: string[];
  total: number;
  retained: number;
  deleted: number;
}

/** The enabled rules whose repository selectors take this repository (full name, with project). */
export function rulesForRepository(policy: RetentionPolicy, repository: string): number[] {
  const name = withoutProject(repository);
  const out: number[] = [];
  policy.rules.forEach((r, i) => {
    if (!r.disabled && compileRepositorySelectors(r.scope_selectors.repository)(name)) out.push(i);
  });
  return out;
}

/** The repositories a run makes a task for: those at least one enabled rule applies to. */
export function repositoriesInScope(policy: RetentionPolicy, repositories: readonly string[]): string[] {
  return repositories.filter((r) => rulesForRepository(policy, r).length > 0);
}

const seconds = (ms: number) => Math.floor(ms / 1000);

type Times = { pushed: number; pulled: number | null };

/** Harbor's candidate times: the latest of the artifact's and its tags'. */
function latest(a: RetentionArtifact): Times {
  let pushed = a.pushedAt;
  let pulled = a.pulledAt;
  for (const t of a.tags) {
    pushed = Math.max(pushed, t.pushedAt);
    if (t.pulledAt !== null) pulled = pulled === null ? t.pulledAt : Math.max(pulled, t.pulledAt);
  }
  return { pushed, pulled };
}

function candidateOf(times: Times, a: RetentionArtifact): TemplateCandidate {
  const { pushed, pulled } = times;
  return { digest: a.digest, pushed: seconds(pushed), pulled: pulled === null ? null : seconds(pulled) };
}

/**
 * Harbor's candidates (its artifact list): tagged artifacts, and untagged ones no index lists;
 * never accessories. The rest follow the artifact they belong to.
 */
const isCandidate = (a: RetentionArtifact) => !a.subject && (a.tags.length > 0 || (a.parents ?? []).length === 0);

const ruleWords = (rule: RetentionRule, i: number) => `${i + 1} (${describeTemplate(rule.template, rule.params)})`;

/** Decides every artifact of one repository; null when no enabled rule applies to it (no task). */
export function evaluateRepository(policy: RetentionPolicy, repository: string, artifacts: readonly RetentionArtifact[], nowMs: number): RepositoryPlan | null {
  const ruleIdx = rulesForRepository(policy, repository);
  if (ruleIdx.length === 0) return null;
  const byDigest = new Map<string, RetentionArtifact>();
  for (const a of artifacts) {
    if (byDigest.has(a.digest)) throw new Error(`artifact ${a.digest} given twice`);
    byDigest.set(a.digest, a);
  }
  // Asked for in sorts and decisions: computed once per call (the caller's objects are not marked).
  const times = new Map<string, Times>(artifacts.map((a) => [a.digest, latest(a)]));
  const timesOf = (a: RetentionArtifact) => times.get(a.digest) as Times;

  // The OR algorithm: each rule selects with its tag selectors, then its template retains some.
  const candidates = artifacts.filter(isCandidate);
  const retainedBy = new Map<string, number[]>();
  for (const i of ruleIdx) {
    const rule = policy.rules[i] as RetentionRule;
    const selects = compileTagSelectors(rule.tag_selectors);
    const selected = candidates.filter((a) => selects({ tags: a.tags.map((t) => t.name), labels: a.labels })).map((a) => candidateOf(timesOf(a), a));
    for (const c of selectByTemplate(rule.template, rule.params, selected, nowMs)) {
      const list = retainedBy.get(c.digest) ?? [];
      list.push(i);
      retainedBy.set(c.digest, list);
    }
  }

  // Roots kept because something that would go with them carries an immutable tag.
  const forcedKeep = new Map<string, string>();
  let decisions = decide(policy, byDigest, timesOf, retainedBy, forcedKeep);
  for (let changed = true; changed; ) {
    changed = false;
    for (const a of artifacts) {
      const d = decisions.get(a.digest) as RetentionDecision;
      const locked = a.tags.find((t) => t.immutable);
      if (d.action !== 'delete' || !locked || isCandidate(a)) continue;
      for (const root of deletedRoots(a, byDigest, decisions)) {
        if (forcedKeep.has(root)) continue;
        forcedKeep.set(root, `no rule retains it, but ${a.digest} that would go with it has the immutable tag ${locked.name}: immutable tags are never deleted`);
        changed = true;
      }
    }
    if (changed) decisions = decide(policy, byDigest, timesOf, retainedBy, forcedKeep);
  }

  const pushedOf = (a: RetentionArtifact) => seconds(timesOf(a).pushed);
  const order = [...artifacts].sort((a, b) => pushedOf(b) - pushedOf(a) || (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0));
  const list = order.map((a) => decisions.get(a.digest) as RetentionDecision);
  const roots = order.filter((a) => isCandidate(a) && decisions.get(a.digest)?.action === 'delete');
  const depth = new Map<string, number>();
  const depthOf = (a: RetentionArtifact, seen: Set<string>): number => {
    const known = depth.get(a.digest);
    if (known !== undefined) return known;
    let d = 0;
    for (const p of a.parents ?? []) {
      const parent = byDigest.get(p);
      if (parent && !seen.has(p)) d = Math.max(d, depthOf(parent, new Set([...seen, p])) + 1);
    }
    depth.set(a.digest, d);
    return d;
  };
  const toDelete = roots
    .map((a, i) => ({ digest: a.digest, depth: depthOf(a, new Set([a.digest])), i }))
    .sort((x, y) => x.depth - y.depth || x.i - y.i)
    .map((x) => x.digest);
  const deleted = list.filter((d) => d.action === 'delete').length;
  return { repository, rules: ruleIdx, decisions: list, toDelete, total: list.length, retained: list.length - deleted, deleted };
}

/** The candidates whose deletion takes `a` with it: up its subject and parents, all deleted. */
function deletedRoots(a: RetentionArtifact, byDigest: Map<string, RetentionArtifact>, decisions: Map<string, RetentionDecision>): string[] {
  const out = new Set<string>();
  const walk = (x: RetentionArtifact, seen: Set<string>) => {
    if (isCandidate(x)) {
      if (decisions.get(x.digest)?.action === 'delete') out.add(x.digest);
      return;
    }
    for (const up of x.subject ? [x.subject] : (x.parents ?? [])) {
      const next = byDigest.get(up);
      if (next && !seen.has(up)) walk(next, new Set([...seen, up]));
    }
  };
  walk(a, new Set([a.digest]));
  return [...out];
}

function decide(
  policy: RetentionPolicy,
  byDigest: Map<string, RetentionArtifact>,
  timesOf: (a: RetentionArtifact) => Times,
  retainedBy: Map<string, number[]>,
  forcedKeep: Map<string, string>,
): Map<string, RetentionDecision> {
  const out = new Map<string, RetentionDecision>();
  const visiting = new Set<string>();

  const make = (a: RetentionArtifact, action: 'retain' | 'delete', cause: RetentionCause, reason: string, extra: Partial<RetentionDecision> = {}): RetentionDecision => ({
    digest: a.digest,
    tags: a.tags.map((t) => t.name),
    labels: [...a.labels],
    ...(a.type === undefined ? {} : { type: a.type }),
    pushedAt: timesOf(a).pushed,
    pulledAt: timesOf(a).pulled,
    action,
    cause,
    rules: [],
    reason,
    ...extra,
  });

  const of = (digest: string): RetentionDecision | undefined => {
    const a = byDigest.get(digest);
    if (!a) return undefined;
    const done = out.get(digest);
    if (done) return done;
    // A reference cycle cannot come from content addressing; kept rather than guessed at.
    if (visiting.has(digest)) return make(a, 'retain', 'parent', 'listed by an index that lists it back: kept');
    visiting.add(digest);
    const d = decideOne(a);
    visiting.delete(digest);
    out.set(digest, d);
    return d;
  };

  /** The first kept index among a's parents (or one not given, which is kept too), if any. */
  const keptParent = (a: RetentionArtifact): string | undefined =>
    (a.parents ?? []).find((p) => {
      const d = of(p);
      return d === undefined || d.action === 'retain';
    });

  const decideOne = (a: RetentionArtifact): RetentionDecision => {
    if (a.subject) {
      const s = of(a.subject);
      if (s === undefined) return make(a, 'retain', 'subject', `its subject ${a.subject} is not among the artifacts given: kept`, { follows: a.subject });
      return s.action === 'retain'
        ? make(a, 'retain', 'subject', `kept with its subject ${a.subject}`, { follows: a.subject })
        : make(a, 'delete', 'subject', `deleted with its subject ${a.subject}`, { follows: a.subject });
    }
    if (!isCandidate(a)) {
      const kept = keptParent(a);
      if (kept !== undefined) {
        const known = byDigest.has(kept);
        return make(a, 'retain', 'parent', known ? `kept with its index ${kept}` : `its index ${kept} is not among the artifacts given: kept`, { follows: kept });
      }
      const first = (a.parents ?? [])[0] as string;
      return make(a, 'delete', 'parent', `deleted with its index ${first}`, { follows: first });
    }
    const rules = retainedBy.get(a.digest);
    if (rules) {
      const words = rules.map((i) => ruleWords(policy.rules[i] as RetentionRule, i));
      return make(a, 'retain', 'rule', `retained by rule${words.length > 1 ? 's' : ''} ${words.join(', ')}`, { rules: [...rules] });
    }
    const locked = a.tags.find((t) => t.immutable);
    if (locked) return make(a, 'retain', 'immutable', `no rule retains it, but its tag ${locked.name} is immutable: immutable tags are never deleted`);
    const forced = forcedKeep.get(a.digest);
    if (forced) return make(a, 'retain', 'immutable', forced);
    // A tagged child of a kept index: Harbor tries the delete and fails ("referenced by others");
    // what a user expects is that the index keeps what it lists.
    const kept = keptParent(a);
    if (kept !== undefined) {
      const why = byDigest.has(kept) ? `it is listed by the kept index ${kept}` : `it is listed by the index ${kept}, which is not among the artifacts given`;
      return make(a, 'retain', 'parent', `no rule retains it, but ${why}`, { follows: kept });
    }
    return make(a, 'delete', 'none', 'no rule retains it');
  };

  for (const d of byDigest.keys()) of(d);
  return out;
}
