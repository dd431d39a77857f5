import { compileDoublestar } from '../immutable/doublestar.js';
import { type RetentionSelector, untaggedExtra } from './policy.js';

/** What a tag selector looks at. */
export interface SelectableArtifact {
  tags: readonly string[];
  labels: readonly string[];
}

// Harbor's match(): an empty pattern matches everything (validation refuses one; stored rows
// written before may hold it).
const matcher = (pattern: string) => (pattern === '' ? () => true : compileDoublestar(pattern));

/**
 * Harbor's doublestar tag selector (src/lib/selector/selectors/doublestar):
 * - "matches": selected when any tag matches; "excludes": selected when any tag does not match.
 * - An untagged artifact is decided by the `untagged` extra, which reads as part of the sentence
 *   the portal shows: "matching P [x] untagged" selects untagged artifacts, "excluding P [x]
 *   untagged" leaves them out. Without extras untagged artifacts are selected either way (Harbor
 *   kept them for policies written before the extra existed).
 */
function doublestarTags(s: RetentionSelector): (a: SelectableArtifact) => boolean {
  const match = matcher(s.pattern);
  const excludes = s.decoration === 'excludes';
  const untagged = untaggedExtra(s.extras) ?? !excludes;
  if (excludes) return (a) => (a.tags.length === 0 ? !untagged : a.tags.some((t) => !match(t)));
  return (a) => (a.tags.length === 0 ? untagged : a.tags.some((t) => match(t)));
}

/** Harbor's label selector: every listed label present (withLabels) or none of them (withoutLabels). */
function labels(s: RetentionSelector): (a: SelectableArtifact) => boolean {
  const wanted = s.pattern.split(',').filter((l) => l !== '');
  const without = s.decoration === 'withoutLabels';
  return (a) => {
    const has = new Set(a.labels);
    return without ? wanted.every((l) => !has.has(l)) : wanted.every((l) => has.has(l));
  };
}

/** A rule's tag selectors, all of which must select an artifact (Harbor applies them in turn). */
export function compileTagSelectors(selectors: readonly RetentionSelector[]): (a: SelectableArtifact) => boolean {
  const tests = selectors.map((s) => (s.kind === 'label' ? labels(s) : doublestarTags(s)));
  return (a) => tests.every((t) => t(a));
}

/**
 * A rule's repository selectors over the repository name without its project ("team/api" in
 * project "library"), all of which must hold; none means every repository (Harbor's launcher).
 */
export function compileRepositorySelectors(selectors: readonly RetentionSelector[] | undefined): (repository: string) => boolean {
  const tests = (selectors ?? []).map((s) => {
    const match = matcher(s.pattern);
    const excludes = s.decoration === 'repoExcludes';
    return (r: string) => r !== '' && match(r) !== excludes;
  });
  return (r) => tests.every((t) => t(r));
}
