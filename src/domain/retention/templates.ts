/**
 * Harbor's rule templates (src/pkg/retention/policy/rule/*): which of a repository's selected
 * candidates each one retains. The parameter of a template is named after the template
 * ({"latestPushedK": 3}). Times are whole seconds, as Harbor's candidates carry them.
 */

/** What a template looks at: one candidate artifact of the repository. */
export interface TemplateCandidate {
  digest: string;
  /** Latest of the artifact's push and its tags' pushes, in seconds. */
  pushed: number;
  /** Latest of the artifact's pull and its tags' pulls, in seconds; null when never pulled. */
  pulled: number | null;
}

interface Template {
  /** Harbor's metadatas display text, `#` standing for the parameter. */
  display: string;
  unit: 'COUNT' | 'DAYS' | null;
  /** Largest accepted value (Harbor: counts below MaxInt16, days up to 20190904). */
  max: number;
  select: (candidates: TemplateCandidate[], n: number, nowMs: number) => TemplateCandidate[];
}

const day = 24 * 60 * 60;
const byDigest = (a: TemplateCandidate, b: TemplateCandidate) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0);
const newestPush = (a: TemplateCandidate, b: TemplateCandidate) => b.pushed - a.pushed || byDigest(a, b);
const pulledOrNever = (c: TemplateCandidate) => c.pulled ?? Number.NEGATIVE_INFINITY;
// Harbor's sort.Slice leaves ties in no particular order; ties here go to the newer push, then
// the digest, so a run is repeatable. Never-pulled artifacts sort last but still fill free places,
// as in Harbor (its zero pull time sorts last too).
const newestPull = (a: TemplateCandidate, b: TemplateCandidate) => {
  const pa = pulledOrNever(a);
  const pb = pulledOrNever(b);
  return pa === pb ? newestPush(a, b) : pb > pa ? 1 : -1;
};
const activity = (c: TemplateCandidate) => Math.max(c.pushed, c.pulled ?? Number.NEGATIVE_INFINITY);
const mostActive = (a: TemplateCandidate, b: TemplateCandidate) => activity(b) - activity(a) || byDigest(a, b);
const cutoff = (nowMs: number, days: number) => Math.floor(nowMs / 1000) - days * day;

const templates: Record<string, Template> = {
  latestPushedK: {
    display: 'the most recently pushed # artifacts',
    unit: 'COUNT',
    max: 32766,
    select: (c, k) => [...c].sort(newestPush).slice(0, k),
  },
  latestPulledN: {
    display: 'the most recently pulled # artifacts',
    unit: 'COUNT',
    max: 32766,
    select: (c, n) => [...c].sort(newestPull).slice(0, n),
  },
  nDaysSinceLastPush: {
    display: 'pushed within the last # days',
    unit: 'DAYS',
    max: 20190904,
    select: (c, n, now) => c.filter((a) => a.pushed >= cutoff(now, n)),
  },
  nDaysSinceLastPull: {
    display: 'pulled within the last # days',
    unit: 'DAYS',
    max: 20190904,
    select: (c, n, now) => c.filter((a) => a.pulled !== null && a.pulled >= cutoff(now, n)),
  },
  always: { display: 'always', unit: null, max: 0, select: (c) => [...c] },
  // Registered in Harbor's rule index but not offered by /retentions/metadatas (older policies
  // may hold them): latest k by pull-or-push time, and pushed strictly within the last x days.
  latestActiveK: {
    display: 'the most recently pulled or pushed # artifacts',
    unit: 'COUNT',
    max: 32766,
    select: (c, k) => [...c].sort(mostActive).slice(0, k),
  },
  lastXDays: {
    display: 'pushed within the last # days',
    unit: 'DAYS',
    max: 20190904,
    select: (c, x, now) => c.filter((a) => a.pushed * 1000 > now - x * day * 1000),
  },
};

export const templateIds: readonly string[] = Object.keys(templates);

/** The templates /retentions/metadatas lists, in Harbor's order. */
export const offeredTemplates = ['latestPushedK', 'latestPulledN', 'nDaysSinceLastPush', 'nDaysSinceLastPull', 'always'] as const;

/** Harbor's refusal of a template's parameters (rule/index.Valid and the template's Valid), or undefined. */
export function paramRule(template: string, params: Record<string, unknown>): string | undefined {
  const t = templates[template];
  if (!t) return `rule evaluator ${template} is not registered`;
  if (t.unit === null) return undefined;
  if (!(template in params)) return `missing required parameter ${template} for rule ${template}`;
  const v = params[template];
  // Harbor truncates 2.5 to 2; a fraction of a day or of an artifact is a typo, so it is refused.
  if (typeof v !== 'number' || !Number.isInteger(v)) return `${template} type error`;
  if (v < 0) return `${template} is less than zero`;
  if (v > t.max) return `${template} is too large`;
  return undefined;
}

/** The candidates a rule's template retains, in the template's order; params already valid. */
export function selectByTemplate(template: string, params: Record<string, unknown>, candidates: TemplateCandidate[], nowMs: number): TemplateCandidate[] {
  const t = templates[template];
  if (!t) throw new Error(`rule evaluator ${template} is not registered`);
  const n = t.unit === null ? 0 : (params[template] as number);
  return t.select(candidates, n, nowMs);
}

/** A rule in words, for task logs: "the most recently pushed 3 artifacts". */
export function describeTemplate(template: string, params: Record<string, unknown>): string {
  const t = templates[template];
  if (!t) return template;
  return t.display.replace('#', String(params[template]));
}
