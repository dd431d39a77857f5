import { sql, type Kysely } from 'kysely';
import type { SqlDialect } from '../dialect.js';

/**
 * Harbor's content model: what an artifact is (type, sizes, extra attributes, push and pull
 * times), repository descriptions and pull counts, tags with ids and pull times, labels,
 * immutable-tag rules, storage quotas with the per-project blob ledger that makes usage exact,
 * and an outbox of domain events (quota warnings now; webhooks consume it later).
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>, dialect: SqlDialect): Promise<void> {
  // One transaction (SQLite's DDL is transactional too, though Kysely's migrator runs SQLite
  // migrations outside one): a crash half-way leaves the schema as it was, not half-migrated.
  if (dialect === 'sqlite' && !db.isTransaction) {
    await db.transaction().execute((tx) => up(tx, dialect));
    return;
  }
  const id = dialect === 'postgres' ? 'serial' : 'integer';
  const bigId = dialect === 'postgres' ? 'bigserial' : 'integer';
  const pk = (c: any) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey());

  await db.schema.alterTable('repositories').addColumn('description', 'text', (c) => c.notNull().defaultTo('')).execute();
  await db.schema.alterTable('repositories').addColumn('pull_count', 'bigint', (c) => c.notNull().defaultTo(0)).execute();

  // The manifest row is Harbor's artifact: media_type stays the manifest's own media type.
  await db.schema.alterTable('manifests').addColumn('config_media_type', 'varchar(255)').execute();
  await db.schema.alterTable('manifests').addColumn('artifact_kind', 'varchar(32)', (c) => c.notNull().defaultTo('UNKNOWN')).execute();
  /** Manifest + config + layers; for an index also its children's total sizes. */
  await db.schema.alterTable('manifests').addColumn('total_size', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  /** JSON: architecture/os/author/created for images, Chart.yaml fields for charts. */
  await db.schema.alterTable('manifests').addColumn('extra_attrs', 'text').execute();
  await db.schema.alterTable('manifests').addColumn('pushed_at', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('manifests').addColumn('pulled_at', 'bigint').execute();
  await db.updateTable('manifests').set({ pushed_at: sql`created_at`, total_size: sql`size` }).execute();

  // Tags get ids (Harbor's tag JSON has one): SQLite cannot add a key column, so rebuild.
  await db.schema
    .createTable('tags_v2')
    .addColumn('id', id, pk)
    .addColumn('repository_id', 'integer', (c) => c.notNull().references('repositories.id').onDelete('cascade'))
    .addColumn('name', 'varchar(128)', (c) => c.notNull())
    .addColumn('manifest_id', 'integer', (c) => c.notNull().references('manifests.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('pulled_at', 'bigint')
    .addUniqueConstraint('tags_repository_name', ['repository_id', 'name'])
    .execute();
  await db
    .insertInto('tags_v2')
    .columns(['repository_id', 'name', 'manifest_id', 'created_at', 'updated_at'])
    .expression(db.selectFrom('tags').select(['repository_id', 'name', 'manifest_id', 'created_at', 'updated_at']).orderBy('created_at'))
    .execute();
  await db.schema.dropTable('tags').execute();
  await db.schema.alterTable('tags_v2').renameTo('tags').execute();
  await db.schema.createIndex('tags_manifest_v2').on('tags').column('manifest_id').execute();

  await db.schema
    .createTable('labels')
    .addColumn('id', id, pk)
    .addColumn('name', 'varchar(128)', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('color', 'varchar(32)', (c) => c.notNull().defaultTo(''))
    /** 'g' (global, admin) or 'p' (project). */
    .addColumn('scope', 'varchar(1)', (c) => c.notNull())
    .addColumn('project_id', 'integer', (c) => c.references('projects.id').onDelete('cascade'))
    /** 'g' or 'p:<project id>': a unique key that NULL project ids cannot give. */
    .addColumn('scope_key', 'varchar(32)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('labels_scope_name', ['scope_key', 'name'])
    .execute();
  await db.schema.createIndex('labels_project').on('labels').column('project_id').execute();

  await db.schema
    .createTable('artifact_labels')
    .addColumn('manifest_id', 'integer', (c) => c.notNull().references('manifests.id').onDelete('cascade'))
    .addColumn('label_id', 'integer', (c) => c.notNull().references('labels.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('artifact_labels_pk', ['manifest_id', 'label_id'])
    .execute();
  await db.schema.createIndex('artifact_labels_label').on('artifact_labels').column('label_id').execute();

  await db.schema
    .createTable('immutable_rules')
    .addColumn('id', id, pk)
    .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0))
    /** JSON: Harbor's rule (action, template, params, tag_selectors, scope_selectors). */
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('immutable_rules_project').on('immutable_rules').column('project_id').execute();

  await db.schema
    .createTable('quotas')
    .addColumn('id', id, pk)
    .addColumn('project_id', 'integer', (c) => c.notNull().unique().references('projects.id').onDelete('cascade'))
    /** Bytes; -1 is unlimited. */
    .addColumn('hard_storage', 'bigint', (c) => c.notNull())
    .addColumn('used_storage', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  // The distinct digests (manifests, configs, layers) a project's manifests reference, each
  // counted once however many manifests share it: usage is the sum of their sizes.
  await db.schema
    .createTable('project_blobs')
    .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('digest', 'varchar(150)', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    /** How many of the project's manifest rows reference the digest (or are it). */
    .addColumn('refs', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('project_blobs_pk', ['project_id', 'digest'])
    .execute();

  await db.schema
    .createTable('event_outbox')
    .addColumn('id', bigId, pk)
    .addColumn('type', 'varchar(64)', (c) => c.notNull())
    .addColumn('project_id', 'integer')
    /** JSON, the event's own fields. */
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('event_outbox_type').on('event_outbox').columns(['type', 'id']).execute();

  // Existing projects: unlimited quotas, with usage counted from what they hold now.
  const now = Date.now();
  await db
    .insertInto('quotas')
    .columns(['project_id', 'hard_storage', 'used_storage', 'created_at', 'updated_at'])
    .expression(db.selectFrom('projects').select(['id', sql`-1`.as('h'), sql`0`.as('u'), sql`cast(${now} as bigint)`.as('c'), sql`cast(${now} as bigint)`.as('m')]))
    .execute();
  await sql`
    insert into project_blobs (project_id, digest, size, refs)
    select project_id, digest, max(size), count(*) from (
      select r.project_id as project_id, m.digest as digest, m.size as size
        from manifests m join repositories r on r.id = m.repository_id where r.project_id is not null
      union all
      select r.project_id, ref.digest, b.size
        from manifest_references ref
        join manifests m on m.id = ref.manifest_id
        join repositories r on r.id = m.repository_id
        join blobs b on b.digest = ref.digest
        where ref.kind = 'blob' and r.project_id is not null
    ) t group by project_id, digest`.execute(db);
  await sql`
    update quotas set used_storage = coalesce(
      (select sum(pb.size) from project_blobs pb where pb.project_id = quotas.project_id), 0)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['event_outbox', 'project_blobs', 'quotas', 'immutable_rules', 'artifact_labels', 'labels']) {
    await db.schema.dropTable(t).execute();
  }
  for (const c of ['pulled_at', 'pushed_at', 'extra_attrs', 'total_size', 'artifact_kind', 'config_media_type']) {
    await db.schema.alterTable('manifests').dropColumn(c).execute();
  }
  await db.schema.alterTable('tags').dropColumn('pulled_at').execute();
  for (const c of ['pull_count', 'description']) await db.schema.alterTable('repositories').dropColumn(c).execute();
}
