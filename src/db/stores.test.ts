import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgres } from '../../test/backends/postgres.js';
import { openSqlite, type DatabaseHandle } from './database.js';
import { openPostgres } from './postgres.js';
import { runStoreContract } from './store-contract.js';
import { runJobStoreContract } from './job-store-contract.js';

async function sqlite(): Promise<DatabaseHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'haven-stores-'));
  const handle = openSqlite(join(dir, 'haven.db'));
  return {
    ...handle,
    async close() {
      await handle.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function postgresql(): Promise<DatabaseHandle> {
  const server = await postgres();
  const url = await server.createDatabase('stores');
  const handle = openPostgres(url);
  return {
    ...handle,
    async close() {
      await handle.close();
      await server.dropDatabase(url);
    },
  };
}

runStoreContract('SQLite', sqlite);
runStoreContract('PostgreSQL', postgresql);
runJobStoreContract('SQLite', sqlite);
runJobStoreContract('PostgreSQL', postgresql);
