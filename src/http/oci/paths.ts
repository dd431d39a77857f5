import { AppError } from '../../platform/errors.js';
import { validateRepositoryName } from '../../domain/oci/names.js';

export type OciRoute =
  | { kind: 'base' }
  | { kind: 'catalog' }
  | { kind: 'upload'; name: string; id: string }
  | { kind: 'blob'; name: string; digest: string }
  | { kind: 'manifest'; name: string; reference: string }
  | { kind: 'tags'; name: string }
  | { kind: 'referrers'; name: string; digest: string };

// Anchored at the end so a repository may itself contain "blobs" or "manifests" as a component.
const patterns: Array<[RegExp, (m: RegExpExecArray) => OciRoute]> = [
  [/^\/v2\/(.+)\/blobs\/uploads(?:\/([^/]*))?$/, (m) => ({ kind: 'upload', name: m[1]!, id: m[2] ?? '' })],
  [/^\/v2\/(.+)\/blobs\/([^/]+)$/, (m) => ({ kind: 'blob', name: m[1]!, digest: decode(m[2]!) })],
  [/^\/v2\/(.+)\/manifests\/([^/]+)$/, (m) => ({ kind: 'manifest', name: m[1]!, reference: decode(m[2]!) })],
  [/^\/v2\/(.+)\/tags\/list$/, (m) => ({ kind: 'tags', name: m[1]! })],
  [/^\/v2\/(.+)\/referrers\/([^/]+)$/, (m) => ({ kind: 'referrers', name: m[1]!, digest: decode(m[2]!) })],
];

/**
 * Maps a raw /v2 path to a route. The repository name is validated undecoded: an encoded byte
 * (%2e, %2f) never turns into a path separator or a dot-segment.
 */
export function matchOciPath(path: string): OciRoute | null {
  if (path === '/v2/' || path === '/v2') return { kind: 'base' };
  if (path === '/v2/_catalog') return { kind: 'catalog' };
  for (const [re, build] of patterns) {
    const m = re.exec(path);
    if (m) {
      const route = build(m);
      if ('name' in route) validateRepositoryName(route.name);
      return route;
    }
  }
  return null;
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new AppError('NAME_INVALID', 'malformed percent-encoding in path');
  }
}
