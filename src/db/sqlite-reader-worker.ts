// The thread behind sqlite-reader.ts: one read-only connection to the SQLite file, running the
// statements it is sent (WAL lets it read beside the server's writer).
import { parentPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';

const db = new SQLite(workerData.file as string, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
const statements = new Map<string, SQLite.Statement>();

parentPort!.on('message', (m: { id: number; sql: string; parameters: unknown[] }) => {
  try {
    let stmt = statements.get(m.sql);
    if (!stmt) {
      stmt = db.prepare(m.sql);
      statements.set(m.sql, stmt);
    }
    parentPort!.postMessage({ id: m.id, rows: stmt.all(...m.parameters) });
  } catch (err) {
    parentPort!.postMessage({ id: m.id, error: (err as Error).message });
  }
});
