import { AppError } from '../../platform/errors.js';

export type Condition =
  | { key: string; op: 'eq'; value: string }
  | { key: string; op: 'like'; value: string }
  | { key: string; op: 'range'; min: string | null; max: string | null }
  | { key: string; op: 'any'; values: string[] };

/**
 * Parses Harbor's `q` parameter (`name=~nginx,public=true,creation_time=[a~b],id={1 2 3}`) into
 * typed conditions on an allow-list of keys. Values only ever become bound parameters; a key
 * outside the list is a 400, so a query can filter only on what the caller may read.
 */
export function parseQuery(q: string | undefined, allowed: readonly string[]): Condition[] {
  if (!q) return [];
  if (q.length > 2048) throw new AppError('BAD_REQUEST', 'q is too long');
  const out: Condition[] = [];
  for (const part of splitTop(q)) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw new AppError('BAD_REQUEST', `invalid query condition "${part.slice(0, 100)}"`);
    const key = part.slice(0, eq).trim();
    let raw = part.slice(eq + 1).trim();
    if (!allowed.includes(key)) {
      throw new AppError('BAD_REQUEST', `unsupported query key "${key.slice(0, 50)}"; allowed: ${allowed.join(', ')}`);
    }
    if (raw.startsWith('~')) {
      out.push({ key, op: 'like', value: raw.slice(1) });
    } else if (raw.startsWith('[') && raw.endsWith(']')) {
      raw = raw.slice(1, -1);
      const tilde = raw.indexOf('~');
      if (tilde < 0) throw new AppError('BAD_REQUEST', `range for "${key}" must look like [min~max]`);
      const min = raw.slice(0, tilde).trim();
      const max = raw.slice(tilde + 1).trim();
      out.push({ key, op: 'range', min: min || null, max: max || null });
    } else if ((raw.startsWith('{') && raw.endsWith('}')) || (raw.startsWith('(') && raw.endsWith(')'))) {
      const values = raw.slice(1, -1).split(' ').filter((v) => v !== '');
      if (values.length === 0 || values.length > 100) throw new AppError('BAD_REQUEST', `list for "${key}" must hold 1 to 100 values`);
      out.push({ key, op: 'any', values });
    } else {
      out.push({ key, op: 'eq', value: raw });
    }
  }
  return out;
}

/** Splits on commas that are not inside [], {} or (). */
function splitTop(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if ('[{('.includes(ch)) depth++;
    if (']})'.includes(ch)) depth = Math.max(0, depth - 1);
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  parts.push(cur);
  return parts;
}

export interface SortKey {
  key: string;
  desc: boolean;
}

/** Parses `sort=name,-creation_time` against an allow-list. */
export function parseSort(sort: string | undefined, allowed: readonly string[]): SortKey[] {
  if (!sort) return [];
  return sort.split(',').filter((s) => s.trim() !== '').map((s) => {
    const t = s.trim();
    const desc = t.startsWith('-');
    const key = desc ? t.slice(1) : t;
    if (!allowed.includes(key)) throw new AppError('BAD_REQUEST', `unsupported sort key "${key.slice(0, 50)}"; allowed: ${allowed.join(', ')}`);
    return { key, desc };
  });
}

export function findCondition(conds: Condition[], key: string): Condition | undefined {
  return conds.find((c) => c.key === key);
}
