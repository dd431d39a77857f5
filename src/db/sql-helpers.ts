import { sql } from 'kysely';

/** `column LIKE pattern ESCAPE '\'`, the same on SQLite and PostgreSQL. */
export function likeEscaped(column: string, pattern: string) {
  return sql<boolean>`${sql.ref(column)} like ${pattern} escape '\\'`;
}

/** LIKE patterns are built from user input: escape the wildcards so they match literally. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

