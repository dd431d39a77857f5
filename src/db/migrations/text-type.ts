import { sql } from 'kysely';
import type { SqlDialect } from '../dialect.js';

/**
 * The type of a new text column: on PostgreSQL with byte-order collation, as migration 0007 gave
 * every existing one (the store contract checks every text column has it); SQLite's is bytewise.
 */
export function textType(dialect: SqlDialect, type = 'text') {
  return dialect === 'postgres' ? sql`${sql.raw(type)} collate "C"` : sql.raw(type);
}
