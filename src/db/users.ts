import type { Db } from './database.js';
import { escapeLike, likeEscaped } from './sql-helpers.js';
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

    async list(
      f: { username?: string; usernameLike?: string; email?: string; emailLike?: string },
      page: { offset: number; limit: number },
      sort: Array<{ column: 'username' | 'email' | 'created_at' | 'updated_at' | 'id'; desc: boolean }>,
    ): Promise<{ rows: UserRow[]; total: number }> {
      let q = db.selectFrom('users');
      if (f.username !== undefined) q = q.where('username', '=', f.username);
      if (f.usernameLike !== undefined) q = q.where(likeEscaped('username', `%${escapeLike(f.usernameLike)}%`));
      if (f.email !== undefined) q = q.where('email', '=', f.email);
      if (f.emailLike !== undefined) q = q.where(likeEscaped('email', `%${escapeLike(f.emailLike)}%`));
      let rowsQ = q.selectAll();
      for (const s of sort) rowsQ = rowsQ.orderBy(s.column, s.desc ? 'desc' : 'asc');
      const [rows, total] = await Promise.all([
        rowsQ.orderBy('id').offset(page.offset).limit(page.limit).execute(),
        q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { rows, total: Number(total.n) };
    },

    async updateProfile(id: number, p: { email?: string | null; realname?: string; comment?: string }, now = Date.now()): Promise<void> {
      await db
        .updateTable('users')
        .set({
          ...(p.email !== undefined ? { email: p.email } : {}),
          ...(p.realname !== undefined ? { realname: p.realname } : {}),
          ...(p.comment !== undefined ? { comment: p.comment } : {}),
          updated_at: now,
        })
        .where('id', '=', id)
        .execute();
    },

    async setSysadmin(id: number, sysadmin: boolean, now = Date.now()): Promise<void> {
      await db.updateTable('users').set({ sysadmin: sysadmin ? 1 : 0, updated_at: now }).where('id', '=', id).execute();
    },

    async delete(id: number): Promise<boolean> {
      const r = await db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },

    /** Ids of the named users that exist, in one query. */
    async idsByName(usernames: string[]): Promise<Map<string, number>> {
      const out = new Map<string, number>();
      for (let i = 0; i < usernames.length; i += 500) {
        const rows = await db.selectFrom('users').select(['id', 'username']).where('username', 'in', usernames.slice(i, i + 500)).execute();
        for (const r of rows) out.set(r.username, r.id);
      }
      return out;
    },

    async byEmail(email: string): Promise<UserRow | null> {
      return (await db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst()) ?? null;
    },

    /** Sysadmins left: the last one must not be demoted or deleted (used by the user service later). */
    async countAdmins(): Promise<number> {
      const r = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('sysadmin', '=', 1).executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}

export type UserStore = ReturnType<typeof createUserStore>;
