import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { CompiledQuery } from 'kysely';

/**
 * A read-only SQLite connection on its own thread, for long reads that would otherwise hold the
 * server's one thread: better-sqlite3 runs each statement synchronously, so garbage collection's
 * scan of a million blob rows took a third of the event loop and slowed pushes by 40 %. The
 * queries are compiled by the caller (Kysely), so their SQL stays in the stores.
 */
export interface SqliteReader {
  all<T>(query: CompiledQuery): Promise<T[]>;
  close(): Promise<void>;
}

// The thread: one read-only connection to the file, running the statements it is sent (WAL lets
// it read beside the server's writer). Inline, so it loads the same under tsx and from dist.
const threadSource = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.driver);
// Linux keeps a nice value per thread: this one yields the cores to the server's requests.
try { require('node:os').setPriority(workerData.nice); } catch {}
const db = new SQLite(workerData.file, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
const statements = new Map();
parentPort.on('message', (m) => {
  try {
    let stmt = statements.get(m.sql);
    if (!stmt) { stmt = db.prepare(m.sql); statements.set(m.sql, stmt); }
    parentPort.postMessage({ id: m.id, rows: stmt.all(...m.parameters) });
  } catch (err) {
    parentPort.postMessage({ id: m.id, error: err.message });
  }
});`;

export function openSqliteReader(file: string): SqliteReader {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(threadSource, { eval: true, workerData: { file, driver, nice: 19 } });
  // An idle reader never keeps the process alive.
  worker.unref();
  let next = 0;
  const waiting = new Map<number, { resolve(rows: unknown[]): void; reject(err: Error): void }>();
  const failAll = (err: Error) => {
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  };
  worker.on('message', (m: { id: number; rows?: unknown[]; error?: string }) => {
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (waiting.size === 0) worker.unref();
    if (m.error !== undefined) w?.reject(new Error(m.error));
    else w?.resolve(m.rows ?? []);
  });
  worker.on('error', failAll);
  worker.on('exit', () => failAll(new Error('the SQLite reader thread exited')));
  return {
    all<T>(query: CompiledQuery): Promise<T[]> {
      return new Promise<T[]>((resolve, reject) => {
        const id = next++;
        waiting.set(id, { resolve: resolve as (rows: unknown[]) => void, reject });
        // Referenced while a read is pending, so a shutdown waits for the answer it is owed.
        worker.ref();
        worker.postMessage({ id, sql: query.sql, parameters: query.parameters });
      });
    },
    async close() {
      await worker.terminate();
    },
  };
}
