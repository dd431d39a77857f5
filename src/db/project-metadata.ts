import { transaction } from './transaction.js';
import type { Db } from './database.js';

/** A project's metadata as Harbor shows it: the JSON column, with `public` from its own column. */
function view(row: { public: number; metadata: string }): Record<string, string> {
  return { ...(JSON.parse(row.metadata) as Record<string, string>), public: row.public === 1 ? 'true' : 'false' };
}

export type MetadataChange = { op: 'add' | 'set'; key: string; value: string } | { op: 'delete'; key: string };

/**
 * Harbor's project metadata key by key (/projects/{p}/metadatas/). Each change reads and writes
 * the row in one transaction, so two concurrent adds of one key cannot both succeed. `public` is
 * the projects.public column (Harbor keeps it as a metadata row; deleting it makes the project
 * private, as a missing row does there).
 */
export function createProjectMetadataStore(db: Db) {
  return {
    async get(projectId: number): Promise<Record<string, string> | null> {
      const row = await db.selectFrom('projects').select(['public', 'metadata']).where('id', '=', projectId).executeTakeFirst();
      return row ? view(row) : null;
    },

    /** 'exists' when an add finds the key already set; 'missing' when the project is gone. */
    async change(projectId: number, c: MetadataChange, now = Date.now()): Promise<'changed' | 'exists' | 'missing'> {
      return transaction(db, async (tx) => {
        const row = await tx.selectFrom('projects').select(['public', 'metadata']).where('id', '=', projectId).executeTakeFirst();
        if (!row) return 'missing';
        const current = view(row);
        if (c.op === 'add' && Object.hasOwn(current, c.key)) return 'exists';
        if (c.key === 'public') {
          const pub = c.op !== 'delete' && c.value === 'true' ? 1 : 0;
          await tx.updateTable('projects').set({ public: pub, updated_at: now }).where('id', '=', projectId).execute();
          return 'changed';
        }
        const stored = JSON.parse(row.metadata) as Record<string, string>;
        if (c.op === 'delete') delete stored[c.key];
        else stored[c.key] = c.value;
        await tx.updateTable('projects').set({ metadata: JSON.stringify(stored), updated_at: now }).where('id', '=', projectId).execute();
        return 'changed';
      });
    },
  };
}

export type ProjectMetadataStore = ReturnType<typeof createProjectMetadataStore>;
