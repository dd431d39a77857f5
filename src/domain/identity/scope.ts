/** One entry of a Docker token `scope` / `access` claim: type, name and actions. */
export interface ResourceScope {
  type: string;
  name: string;
  actions: string[];
}

/**
 * Parses `repository:library/nginx:pull,push` (and `registry:catalog:*`). The name may itself
 * contain ":" (a registry host with a port), so type is up to the first colon and actions after
 * the last. Malformed entries are dropped: a token request never fails for asking oddly.
 */
export function parseScope(scope: string): ResourceScope | null {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first <= 0 || last === first) return null;
  const type = scope.slice(0, first);
  const name = scope.slice(first + 1, last);
  const actions = scope
    .slice(last + 1)
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a.length > 0);
  if (!name || actions.length === 0 || !/^[a-z0-9-]+$/.test(type)) return null;
  return { type, name, actions: [...new Set(actions)] };
}

/** Request scopes arrive as repeated `scope` parameters, each possibly space-separated. */
export function parseScopes(values: string[]): ResourceScope[] {
  return values.flatMap((v) => v.split(' ')).map(parseScope).filter((s): s is ResourceScope => s !== null);
}

export function formatScope(s: ResourceScope): string {
  return `${s.type}:${s.name}:${s.actions.join(',')}`;
}
