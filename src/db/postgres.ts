import { CompiledQuery, Kysely, PostgresDialect } from 'kysely';
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { DatabaseHandle } from './database.js';
import type { Database } from './schema.js';
import { isHotStatement } from './sql-helpers.js';
import { registerDialect } from './transaction.js';

/**
 * The stores type epoch-millisecond timestamps, sizes and counts as numbers. node-postgres
 * returns int8 and numeric (sum() of a bigint) as strings, which would make `new Date(ts)`
 * invalid and `expires_at !== -1` true for '-1'. Every value Haven keeps in them is below
 * 2^53, so parse them as numbers, per pool, leaving node-postgres's global parsers alone.
 */
const int8 = 20;
const numeric = 1700;
const asNumber = (v: string) => Number(v);
export const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === int8 || oid === numeric) return asNumber;
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

export interface PostgresOptions {
  /** Connections in the pool of this instance. */
  poolSize?: number;
  /** A query with no answer after this long fails (a frozen server, a half-open connection). */
  queryTimeoutMs?: number;
}

export function openPostgres(url: string, opts: PostgresOptions = {}): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.poolSize ?? 20,
    types,
    // A database that stops answering must fail requests, not hang them: connecting, and every
    // query on an open connection (a blackholed network or a failover leaves those half-open).
    connectionTimeoutMillis: 5000,
    query_timeout: opts.queryTimeoutMs ?? 30_000,
    keepAlive: true,
    idleTimeoutMillis: 30_000,
  });
  // A connection the server drops (restart, failover, terminated backend) emits 'error'; pg-pool
  // listens only while it is idle in the pool, and an unheard 'error' would end the process. The
  // query running on it fails by itself, and the pool replaces the connection.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({
      pool: namingHotStatements(pool),
      // JIT compiles a query whose estimated cost passes jit_above_cost: the artifact list's
      // correlated subqueries are estimated high on a 10,000-artifact repository, and compiling
      // took 174 ms of a 190 ms statement that runs in 13 ms without. Haven's queries are all
      // short. A SET, not a startup option, which poolers such as PgBouncer refuse.
      onCreateConnection: (connection) => connection.executeQuery(CompiledQuery.raw('set jit = off')).then(() => {}),
    }),
  });
  registerDialect(db, 'postgres');
  return { db, dialect: 'postgres', close: () => db.destroy() };
}

/**
 * The pool as Kysely sees it, except that the hot queries (`prepared` in sql-helpers) go out as
 * named statements: PostgreSQL then parses and plans a manifest or blob lookup once per
 * connection instead of on every request. Everything else is sent as it is.
 */
function namingHotStatements(pool: pg.Pool) {
  const names = new Map<string, string>();
  const nameOf = (text: string) => {
    let name = names.get(text);
    if (!name) {
      name = `haven_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
      names.set(text, name);
    }
    return name;
  };
  // One wrapper per pooled client, for its whole life: Kysely knows a connection by the object
  // connect() returns, and runs onCreateConnection for every one it has not seen (a fresh
  // wrapper per checkout cost a `set jit = off` round trip before every query).
  const wrappers = new WeakMap<pg.PoolClient, object>();
  const wrap = (client: pg.PoolClient) => ({
    query(text: unknown, values?: unknown[]) {
      if (typeof text === 'string' && isHotStatement(text)) return client.query({ name: nameOf(text), text, values: values ?? [] });
      return (client.query as (...a: unknown[]) => unknown)(text, values);
    },
    release: (err?: Error | boolean) => client.release(err),
  });
  return {
    async connect() {
      const client = await pool.connect();
      let wrapper = wrappers.get(client);
      if (!wrapper) wrappers.set(client, (wrapper = wrap(client)));
      return wrapper;
    },
    end: () => pool.end(),
  } as unknown as pg.Pool;
}
