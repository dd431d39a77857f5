import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { types } from '../../src/db/postgres.js';

/**
 * SQL straight into a test Haven's metadata database, whichever it runs on (its SQLite file, or
 * its PostgreSQL database), for fixtures no API makes (an expiry in the past) and for recounts.
 * `?` placeholders; `changes` is the number of rows a write touched.
 */
export async function havenSql<R = Record<string, unknown>>(
  h: { dataDir: string; databaseUrl: string },
  text: string,
  params: unknown[] = [],
): Promise<{ rows: R[]; changes: number }> {
  if (h.databaseUrl === '') {
    const db = new SQLite(join(h.dataDir, 'haven.db'), { fileMustExist: true });
    try {
      db.pragma('busy_timeout = 5000');
      const stmt = db.prepare(text);
      if (stmt.reader) return { rows: stmt.all(...params) as R[], changes: 0 };
      return { rows: [], changes: stmt.run(...params).changes };
    } finally {
      db.close();
    }
  }
  // Haven's own type parsers: int8 and numeric as numbers, as the server reads them.
  const client = new pg.Client({ connectionString: h.databaseUrl, types });
  await client.connect();
  try {
    let i = 0;
    const r = await client.query(text.replace(/\?/g, () => `$${++i}`), params);
    return { rows: r.rows as R[], changes: r.rowCount ?? 0 };
  } finally {
    await client.end();
  }
}
