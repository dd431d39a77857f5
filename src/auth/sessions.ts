import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SessionStore } from '../db/sessions.js';
import type { UserStore } from '../db/users.js';
import type { Principal } from '../domain/identity/principal.js';

const hashId = (id: string) => createHash('sha256').update(id).digest('hex');

/**
 * Portal sessions: a random id in an HttpOnly cookie, stored hashed server-side (so logout and
 * password changes end it, on every instance). The CSRF token is an HMAC of the session id
 * (double-submit, bound to the session so a planted cookie cannot pass).
 */
export function createSessions(deps: { sessions: SessionStore; users: Pick<UserStore, 'byId'>; csrfKey: Buffer; idleMs: number }) {
  const { sessions, users, csrfKey, idleMs } = deps;
  const csrfOf = (id: string) => createHmac('sha256', csrfKey).update(id).digest('base64url');

  return {
    async start(userId: number): Promise<{ id: string; csrf: string }> {
      const id = randomBytes(32).toString('base64url');
      await sessions.create(hashId(id), userId);
      return { id, csrf: csrfOf(id) };
    },

    /** The session's user, or null when unknown or idle too long. Touches at most once a minute. */
    async resolve(id: string, now = Date.now()): Promise<Principal | null> {
      const s = await sessions.find(hashId(id));
      if (!s) return null;
      if (now - s.lastSeen > idleMs) {
        await sessions.delete(hashId(id));
        return null;
      }
      if (now - s.lastSeen > 60_000) await sessions.touch(hashId(id), now);
      const u = await users.byId(s.userId);
      return u ? { kind: 'user', id: u.id, name: u.username, sysadmin: u.sysadmin === 1 } : null;
    },

    csrfMatches(id: string, token: string | undefined): boolean {
      if (!token) return false;
      const a = Buffer.from(csrfOf(id));
      const b = Buffer.from(token);
      return a.length === b.length && timingSafeEqual(a, b);
    },

    csrf: csrfOf,

    async end(id: string): Promise<void> {
      await sessions.delete(hashId(id));
    },

    endAllFor: (userId: number) => sessions.deleteForUser(userId),
    purgeIdle: (now = Date.now()) => sessions.purgeIdleSince(now - idleMs),
  };
}

export type Sessions = ReturnType<typeof createSessions>;
