import { BadPatternError, compileDoublestar } from './doublestar.js';

/**
 * Harbor's immutable tag rules (src/pkg/immutable, matched in src/pkg/immutable/match/rule):
 * one repository selector and one tag selector, both doublestar patterns, over the repository
 * name WITHOUT its project ("team/nginx" in project "library") and one tag.
 */

export interface ImmutableSelector {
  kind: 'doublestar';
  decoration: string;
  pattern: string;
}

/** What the `rule` column holds (priority and disabled have their own columns). */
export interface ImmutableRuleSpec {
  action: 'immutable';
  template: 'immutable_template';
  tag_selectors: [ImmutableSelector];
  scope_selectors: { repository: [ImmutableSelector] };
}

/** A rule as a client sends it; every field checked by validateRule. */
export interface ImmutableRuleInput {
  action?: string | undefined;
  template?: string | undefined;
  tag_selectors?: Array<{ kind?: string | undefined; decoration?: string | undefined; pattern?: string | undefined }> | undefined;
  scope_selectors?: Record<string, Array<{ kind?: string | undefined; decoration?: string | undefined; pattern?: string | undefined }>> | undefined;
}

export const maxRulesPerProject = 15;

const tagDecorations = ['matches', 'excludes'];
const repoDecorations = ['repoMatches', 'repoExcludes'];

/** A refusal of a rule's content, with the message the client is shown (a 400). */
export class InvalidRuleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRuleError';
  }
}

const quote = (s: string) => JSON.stringify(s.slice(0, 100));

function selector(
  where: string,
  s: { kind?: string | undefined; decoration?: string | undefined; pattern?: string | undefined } | undefined,
  decorations: string[],
): ImmutableSelector {
  if (!s) throw new InvalidRuleError(`${where} must hold exactly one selector`);
  if (s.kind !== 'doublestar') throw new InvalidRuleError(`${where}: selector kind ${quote(s.kind ?? '')} is not supported; use "doublestar"`);
  if (s.decoration === undefined || !decorations.includes(s.decoration)) {
    throw new InvalidRuleError(`${where}: decoration ${quote(s.decoration ?? '')} of selector doublestar is not supported; use ${decorations.map((d) => `"${d}"`).join(' or ')}`);
  }
  if (s.pattern === undefined || s.pattern === '') throw new InvalidRuleError(`${where}: pattern is required`);
  try {
    compileDoublestar(s.pattern);
  } catch (e) {
    if (e instanceof BadPatternError) throw new InvalidRuleError(`${where}: invalid pattern ${quote(s.pattern)}: ${e.message}`);
    throw e;
  }
  return { kind: 'doublestar', decoration: s.decoration, pattern: s.pattern };
}

/** Checks a rule's content and returns it in its stored form. */
export function validateRule(input: ImmutableRuleInput): ImmutableRuleSpec {
  if (input.action !== undefined && input.action !== 'immutable') throw new InvalidRuleError(`action ${quote(input.action)} is not supported; use "immutable"`);
  if (input.template !== undefined && input.template !== 'immutable_template') {
    throw new InvalidRuleError(`template ${quote(input.template)} is not supported; use "immutable_template"`);
  }
  const tags = input.tag_selectors ?? [];
  if (tags.length !== 1) throw new InvalidRuleError('tag_selectors must hold exactly one selector');
  const scopes = input.scope_selectors ?? {};
  const unknown = Object.keys(scopes).filter((k) => k !== 'repository');
  if (unknown.length > 0) throw new InvalidRuleError(`scope_selectors: scope ${quote(unknown[0]!)} is not supported; use "repository"`);
  const repos = scopes.repository ?? [];
  if (repos.length !== 1) throw new InvalidRuleError('scope_selectors.repository must hold exactly one selector');
  return {
    action: 'immutable',
    template: 'immutable_template',
    tag_selectors: [selector('tag_selectors', tags[0], tagDecorations)],
    scope_selectors: { repository: [selector('scope_selectors.repository', repos[0], repoDecorations)] },
  };
}

/** Two rules are the same rule when they select the same way (what Harbor's portal compares). */
export function ruleKey(spec: ImmutableRuleSpec): string {
  const r = spec.scope_selectors.repository[0];
  const t = spec.tag_selectors[0];
  return JSON.stringify([r.decoration, r.pattern, t.decoration, t.pattern]);
}

/** (repository without project, tag) -> whether the rule protects that tag. */
export type RuleMatcher = (repository: string, tag: string) => boolean;

/** Harbor's matcher for one rule: the repository selector, then the tag selector. */
export function compileRule(spec: ImmutableRuleSpec): RuleMatcher {
  const r = spec.scope_selectors.repository[0];
  const t = spec.tag_selectors[0];
  const repoMatch = compileDoublestar(r.pattern);
  const tagMatch = compileDoublestar(t.pattern);
  const repoExcludes = r.decoration === 'repoExcludes';
  const tagExcludes = t.decoration === 'excludes';
  return (repository, tag) => repoMatch(repository) !== repoExcludes && tagMatch(tag) !== tagExcludes;
}

/** The repository name as rules see it: Harbor drops the project (utils.ParseRepository). */
export function withoutProject(fullName: string): string {
  const slash = fullName.indexOf('/');
  return slash === -1 ? fullName : fullName.slice(slash + 1);
}

/** Harbor's /v2 refusal (server/middleware/immutable): a PUT over an existing immutable tag. */
export const overwriteRefusal = (repository: string, tag: string) => `Failed to process request due to '${repository}:${tag}' configured as immutable.`;

/** Harbor's tag controller refusal for moving an immutable tag through the API (copy, retag). */
export const updateRefusal = (tag: string) => `the tag ${tag} configured as immutable, cannot be updated`;

/** Harbor's tag controller refusal for deleting an immutable tag (also by artifact or repository). */
export const deleteRefusal = (tag: string) => `the tag ${tag} configured as immutable, cannot be deleted`;
