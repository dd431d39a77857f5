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

export function openSqliteReader(file: string): SqliteReader {
  const worker = new Worker(new URL('./sqlite-reader-worker.js', import.meta.url), { workerData: { file } });
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
