import type { Db } from './database.js';
import type { UserRow } from './schema.js';

export interface NewUser {
  username: string;
  email: string | null;
  realname: string;
  comment: string;
  passwordHash: string;
  sysadmin: boolean;
}

export function createUserStore(db: Db) {
  return {
    async create(u: NewUser, now = Date.now()): Promise<number> {
      const row = await db
        .insertInto('users')
        .values({
          username: u.username,
          email: u.email,
          realname: u.realname,
          comment: u.comment,
          password_hash: u.passwordHash,
          sysadmin: u.sysadmin ? 1 : 0,
          password_changed_at: now,
          created_at: now,
          updated_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },

    async byName(username: string): Promise<UserRow | null> {
      return (await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst()) ?? null;
    },

    async byId(id: number): Promise<UserRow | null> {
      return (await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
    },

    async setPassword(id: number, passwordHash: string, now = Date.now()): Promise<void> {
      await db
        .updateTable('users')
        .set({ password_hash: passwordHash, password_changed_at: now, updated_at: now })
        .where('id', '=', id)
        .execute();
    },

    async countAdmins(): Promise<number> {
      const r = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('sysadmin', '=', 1).executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}

export type UserStore = ReturnType<typeof createUserStore>;
