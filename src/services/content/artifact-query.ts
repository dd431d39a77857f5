import { findCondition, parseQuery, parseSort, type Condition } from '../../domain/query/harbor-query.js';
import type { ArtifactFilter, ArtifactSortColumn } from '../../db/artifacts.js';
import { AppError } from '../../platform/errors.js';

/** Harbor's `q` keys on an artifact list (its model's columns plus tags, labels and base). */
export const artifactQueryKeys = ['tags', 'type', 'digest', 'media_type', 'manifest_media_type', 'artifact_type', 'labels', 'base', 'push_time', 'pull_time'] as const;

const sortColumns: Record<string, ArtifactSortColumn> = {
  id: 'id',
  push_time: 'pushed_at',
  pull_time: 'pulled_at',
  size: 'total_size',
  digest: 'digest',
  type: 'artifact_kind',
  media_type: 'config_media_type',
};

/** Harbor lets list and range values be quoted ("x" or 'x'). */
const unquote = (v: string) => (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v.at(-1) === v[0] ? v.slice(1, -1) : v);

function values(c: Condition, key: string): string[] {
  if (c.op === 'eq') return [unquote(c.value)];
  if (c.op === 'any') return c.values.map(unquote);
  throw new AppError('BAD_REQUEST', `the value of "${key}" query can only be an exact match value or a list`);
}

/** Harbor's time in a range: "2020-04-09 02:36:00" (UTC) or epoch seconds. */
function timeOf(v: string | null, key: string): number | null {
  if (v === null) return null;
  const s = unquote(v);
  const t = /^\d{1,12}$/.test(s) ? Number(s) * 1000 : Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s.replace(' ', 'T') : `${s.replace(' ', 'T')}Z`);
  if (!Number.isFinite(t)) throw new AppError('BAD_REQUEST', `invalid time "${s.slice(0, 40)}" in "${key}"`);
  return t;
}

/** Parses an artifact list's q into the store's filter; anything off Harbor's forms is a 400. */
export function artifactFilter(q: string | undefined): ArtifactFilter {
  const conds = parseQuery(q, artifactQueryKeys);
  const f: ArtifactFilter = {};
  const tags = findCondition(conds, 'tags');
  if (tags) {
    if (tags.op === 'like') f.tags = { kind: 'like', pattern: unquote(tags.value) };
    else if (tags.op === 'eq') {
      const v = unquote(tags.value);
      f.tags = v === '*' ? { kind: 'any' } : v === 'nil' ? { kind: 'none' } : { kind: 'exact', name: v };
    } else throw new AppError('BAD_REQUEST', 'the value of "tags" query can only be fuzzy match value or exact match value');
  }
  const base = findCondition(conds, 'base');
  if (base) {
    if (base.op !== 'eq' || unquote(base.value) !== '*') throw new AppError('BAD_REQUEST', 'the value of "base" query can only be exact match value with "*"');
    f.all = true;
  }
  const type = findCondition(conds, 'type');
  if (type) f.kinds = values(type, 'type').map((v) => v.toUpperCase());
  const digest = findCondition(conds, 'digest');
  if (digest?.op === 'like') f.digestLike = unquote(digest.value);
  else if (digest) f.digests = values(digest, 'digest');
  const mt = findCondition(conds, 'media_type');
  if (mt) f.mediaTypes = values(mt, 'media_type');
  const mmt = findCondition(conds, 'manifest_media_type');
  if (mmt) f.manifestMediaTypes = values(mmt, 'manifest_media_type');
  const at = findCondition(conds, 'artifact_type');
  if (at) f.artifactTypes = values(at, 'artifact_type');
  const labels = findCondition(conds, 'labels');
  if (labels) {
    const ids = labels.op === 'any' ? labels.values : labels.op === 'eq' ? [labels.value] : [];
    if (ids.length === 0 || !ids.every((v) => /^\d{1,10}$/.test(v))) {
      throw new AppError('BAD_REQUEST', 'the value of "labels" query can only be integer list with intersetion relationship');
    }
    f.labelIds = [...new Set(ids.map(Number))];
  }
  for (const [key, field] of [['push_time', 'pushedAt'], ['pull_time', 'pulledAt']] as const) {
    const c = findCondition(conds, key);
    if (!c) continue;
    if (c.op !== 'range') throw new AppError('BAD_REQUEST', `the value of "${key}" query can only be a range [min~max]`);
    f[field] = { min: timeOf(c.min, key), max: timeOf(c.max, key) };
  }
  return f;
}

/** Harbor's artifact order: sort keys as given, else newest push first, then id. */
export function artifactSort(sort: string | undefined): Array<{ column: ArtifactSortColumn; desc: boolean }> {
  const keys = parseSort(sort, Object.keys(sortColumns));
  if (keys.length === 0) return [{ column: 'pushed_at', desc: true }, { column: 'id', desc: true }];
  return keys.map((k) => ({ column: sortColumns[k.key] as ArtifactSortColumn, desc: k.desc }));
}
