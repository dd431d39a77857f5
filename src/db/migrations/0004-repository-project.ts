import { sql, type Kysely } from 'kysely';
import type { SqlDialect } from '../dialect.js';

/**
 * Repositories name their project by id, so a project's repositories are one indexed lookup and
 * the database itself refuses to delete a project that still has some. Nullable only because
 * SQLite cannot add a NOT NULL column to a filled table; every repository created from now on
 * has one (ensureRepository).
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>, _dialect: SqlDialect): Promise<void> {
  await db.schema
    .alterTable('repositories')
    .addColumn('project_id', 'integer', (c) => c.references('projects.id'))
    .execute();
  await db.schema.createIndex('repositories_project').on('repositories').column('project_id').execute();
  // The project is the first path segment: "p/" <= name < "p0" ('0' follows '/'), in both dialects.
  await db
    .updateTable('repositories')
    .set((eb) => ({
      project_id: eb
        .selectFrom('projects as p')
        .select('p.id')
        .where(sql<boolean>`repositories.name >= p.name || '/'`)
        .where(sql<boolean>`repositories.name < p.name || '0'`),
    }))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('repositories_project').execute();
  await db.schema.alterTable('repositories').dropColumn('project_id').execute();
}
