import type { Kysely, Migration, MigrationProvider } from 'kysely';
import type { SqlDialect } from '../dialect.js';
import * as m0001 from './0001-registry.js';
import * as m0002 from './0002-identity.js';
import * as m0003 from './0003-sessions.js';
import * as m0004 from './0004-repository-project.js';
import * as m0005 from './0005-content-model.js';
import * as m0006ArtifactRead from './0006-artifact-read.js';
import * as m0007 from './0007-several-instances.js';
import * as m0008UploadState from './0008-upload-state.js';
import * as m0009Jobs from './0009-jobs.js';
import * as m0011Gc from './0011-gc.js';
import * as m0012Retention from './0012-retention.js';
import * as m0013Webhooks from './0013-webhooks.js';
import * as m0014IndexChildren from './0014-index-children.js';

interface VersionedMigration {
  up(db: Kysely<any>, dialect: SqlDialect): Promise<void>;
  down(db: Kysely<any>, dialect: SqlDialect): Promise<void>;
}

// Ordered by name; a released migration is never edited, only followed by a new one.
const all: Record<string, VersionedMigration> = {
  '0001-registry': m0001,
  '0002-identity': m0002,
  '0003-sessions': m0003,
  '0004-repository-project': m0004,
  '0005-content-model': m0005,
  '0006-artifact-read': m0006ArtifactRead,
  '0007-several-instances': m0007,
  '0008-upload-state': m0008UploadState,
  '0009-jobs': m0009Jobs,
  '0011-gc': m0011Gc,
  '0012-retention': m0012Retention,
  '0013-webhooks': m0013Webhooks,
  '0014-index-children': m0014IndexChildren,
};

export function migrationProvider(dialect: SqlDialect): MigrationProvider {
  return {
    async getMigrations() {
      const out: Record<string, Migration> = {};
      for (const [name, m] of Object.entries(all)) {
        out[name] = { up: (db) => m.up(db, dialect), down: (db) => m.down(db, dialect) };
      }
      return out;
    },
  };
}
