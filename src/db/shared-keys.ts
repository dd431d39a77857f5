import { createSealer, SecretBoxError, type Sealer } from '../platform/secret-box.js';
import { StartupProblem } from '../platform/startup-problem.js';
import type { Db } from './database.js';
import { transaction } from './transaction.js';

/** The sealing context of a row: a sealed value moved to another row does not open there. */
const context = (name: string) => `shared_keys/${name}`;

/** A value that cannot be opened: start-up stops with one line naming the setting to fix. */
function unreadable(name: string, err: unknown): Error {
  if (!(err instanceof SecretBoxError)) return err as Error;
  const where = `shared_keys "${name}"`;
  if (err.reason === 'no-key') {
    return new StartupProblem('secrets.key', `the keys in the database are encrypted (${where}): set secrets.key or secrets.keyFile to the secret key the other instances use`);
  }
  if (err.reason === 'wrong-key-or-altered') {
    return new StartupProblem('secrets.key', `cannot decrypt the keys in the database (${where}): this is not the secret key they were encrypted with, or the value was altered`);
  }
  return new StartupProblem('secrets.key', `${where}: ${err.message}`);
}

/**
 * Keys every instance on the database uses (token signing, CSRF). The first instance to ask
 * makes a key; instances starting together race on the primary key, and the loser's insert does
 * nothing, so all of them read back the one that won. With a sealer that has a key (secrets.key),
 * values are kept encrypted; a plain one (kept before the key was set) is sealed in place by a
 * compare-and-set on the old value, so instances starting together seal it once.
 */
export function createSharedKeyStore(db: Db, sealer: Sealer = createSealer(null)) {
  const reveal = (name: string, stored: string): string => {
    try {
      return sealer.open(stored, context(name));
    } catch (err) {
      throw unreadable(name, err);
    }
  };
  /** Seals a plain value unless another instance changed it first; true when this call did. */
  const sealInPlace = async (tx: Db, name: string, stored: string, plain: string): Promise<boolean> => {
    const r = await tx
      .updateTable('shared_keys')
      .set({ value: sealer.seal(plain, context(name)) })
      .where('name', '=', name)
      .where('value', '=', stored)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  };
  return {
    async getOrCreate(name: string, make: () => string | Promise<string>, now = Date.now()): Promise<string> {
      const existing = await db.selectFrom('shared_keys').select('value').where('name', '=', name).executeTakeFirst();
      if (existing) {
        const plain = reveal(name, existing.value);
        // Written plain by an instance without the key since this one started: seal it now.
        if (sealer.needsSealing(existing.value)) await sealInPlace(db, name, existing.value, plain);
        return plain;
      }
      await db
        .insertInto('shared_keys')
        .values({ name, value: sealer.seal(await make(), context(name)), created_at: now })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
      const row = await db.selectFrom('shared_keys').select('value').where('name', '=', name).executeTakeFirstOrThrow();
      return reveal(name, row.value);
    },

    /**
     * At start, before any key is used: every value must open with this sealer (an encrypted
     * value with no key, or with another key, stops start-up), and with a key the plain ones
     * are sealed, all in one transaction. Answers how many this call sealed.
     */
    async sealPlainValues(): Promise<{ sealed: number; total: number }> {
      return transaction(db, async (tx) => {
        const rows = await tx.selectFrom('shared_keys').select(['name', 'value']).orderBy('name').execute();
        let sealed = 0;
        for (const row of rows) {
          const plain = reveal(row.name, row.value);
          if (sealer.needsSealing(row.value) && (await sealInPlace(tx, row.name, row.value, plain))) sealed++;
        }
        return { sealed, total: rows.length };
      });
    },
  };
}

export type SharedKeyStore = ReturnType<typeof createSharedKeyStore>;
