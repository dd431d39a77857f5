import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Harbor's own permission table (test/fixtures/harbor-rbac-matrix.tsv, a copy of
 * shared/harbor/rbac-matrix.tsv), read independently of src/domain/rbac/matrix.ts so that a wrong
 * row there makes the permission tests fail instead of agreeing with itself.
 */
export const harborRoles = ['projectAdmin', 'maintainer', 'developer', 'guest', 'limitedGuest'] as const;
export type HarborRole = (typeof harborRoles)[number];

/** Harbor's Go resource names differ from the wire names in a few places (and one is misspelt). */
const wireName: Record<string, string> = { PreatPolicy: 'preheat-policy', ExportCVE: 'export-cve', SBOM: 'sbom' };
const kebab = (s: string) => wireName[s] ?? s.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();

function load(): Map<string, Set<HarborRole>> {
  const lines = readFileSync(join(import.meta.dirname, '../fixtures/harbor-rbac-matrix.tsv'), 'utf8').trim().split('\n');
  const header = lines[0]!.split('\t');
  const columns = harborRoles.map((r) => header.indexOf(r));
  if (columns.some((c) => c < 0)) throw new Error(`rbac-matrix.tsv header lacks a role column: ${header.join(',')}`);
  const table = new Map<string, Set<HarborRole>>();
  for (const line of lines.slice(1)) {
    const cells = line.split('\t');
    const granted = new Set(harborRoles.filter((_, i) => cells[columns[i]!] === 'Y'));
    table.set(`${kebab(cells[0]!)}:${cells[1]!.toLowerCase()}`, granted);
  }
  return table;
}

const table = load();

/** Every resource:action pair of Harbor's table, in wire names. */
export const harborPermissions: readonly string[] = [...table.keys()];

export const harborAllows = (role: HarborRole, permission: string): boolean => table.get(permission)?.has(role) ?? false;

export const harborPermissionsOf = (role: HarborRole): string[] => harborPermissions.filter((p) => harborAllows(role, p));
