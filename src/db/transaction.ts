import type { Kysely, Transaction } from 'kysely';
import { BackendUnavailableError } from '../platform/errors.js';
import type { SqlDialect } from './dialect.js';

const dialects = new WeakMap<object, SqlDialect>();

/** Called where a database is opened, so `transaction` knows how to run on it. */
export function registerDialect<DB>(db: Kysely<DB>, dialect: SqlDialect): void {
  dialects.set(db, dialect);
}

/** The dialect a database was opened with (sqlite when unknown: the test databases). */
export function dialectOf<DB>(db: Kysely<DB>): SqlDialect {
  return dialects.get(db) ?? 'sqlite';
}

/** SQLSTATEs after which PostgreSQL asks the client to run the transaction again. */
const retryable = new Set(['40001', '40P01']);
/**
 * How long a transaction keeps trying. A budget of time, not of attempts: rows every push in a
 * project touches (a shared base layer's ledger row, the quota) make writers collide often under
 * load, and a fixed count of quick retries ran out in 1-2 s while eight clients pushed and
 * deleted beside garbage collection (the CI torture test on PostgreSQL).
 */
const retryBudgetMs = 30_000;

function isRetryable(err: unknown): boolean {
  return typeof err === 'object' && err !== null && retryable.has((err as { code?: string }).code ?? '');
}

/**
 * The one way the stores run a transaction. SQLite runs one writer at a time, so its
 * transactions are serializable as they are; the stores' check-then-act code (existence checks,
 * quota, immutable tags, rule caps) was written against that. On PostgreSQL the same guarantee
 * comes from SERIALIZABLE isolation, whose price is that a transaction may be aborted on a
 * conflict and must be run again: `work` may therefore run more than once and must do nothing
 * outside the database. Inside a transaction, it simply runs in it.
 */
export async function transaction<DB, T>(db: Kysely<DB>, work: (tx: Transaction<DB>) => Promise<T>, opts: TransactionOptions = {}): Promise<T> {
  if (db.isTransaction) return work(db as Transaction<DB>);
  if (dialects.get(db) !== 'postgres') return db.transaction().execute(work);
  if (opts.queue === undefined) return serializable(db, work);
  return inTurn(opts.queue, () => serializable(db, work));
}

export interface TransactionOptions {
  /**
   * Transactions that name the same queue run one after the other in this process. For writers
   * that update the same rows (a project's quota and blob ledger, say): run side by side under
   * SERIALIZABLE, all but one of them abort and start again, and under load most attempts are
   * wasted (37,000 aborts for 10,000 manifest PUTs from 16 clients into one project). Taking
   * turns costs the second a wait instead. Other instances still collide, and are retried.
   */
  queue?: string;
}

/** The queue of the writers of a project's shared rows (quota, blob ledger), from a repository name. */
export function projectQueue(repository: string): string {
  return `project:${repository.split('/', 1)[0]}`;
}

/** The tail of each queue: a transaction starts when the one before it in its queue has settled. */
const queues = new Map<string, Promise<unknown>>();

async function inTurn<T>(key: string, run: () => Promise<T>): Promise<T> {
  const before = queues.get(key);
  const mine = (before ?? Promise.resolve()).then(run);
  const settled = mine.then(
    () => {},
    () => {},
  );
  queues.set(key, settled);
  try {
    return await mine;
  } finally {
    if (queues.get(key) === settled) queues.delete(key);
  }
}

async function serializable<DB, T>(db: Kysely<DB>, work: (tx: Transaction<DB>) => Promise<T>): Promise<T> {
  const deadline = Date.now() + retryBudgetMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().setIsolationLevel('serializable').execute(work);
    } catch (err) {
      if (!isRetryable(err)) throw err;
      // Still colliding after the budget: the client is told to come back (503), not that the
      // registry broke (500).
      if (Date.now() >= deadline) throw new BackendUnavailableError('database', { cause: err });
      // Full jitter on a growing ceiling, so the transactions that collided do not collide again.
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(250, 2 ** attempt)));
    }
  }
}
