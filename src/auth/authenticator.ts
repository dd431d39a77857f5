import { createHash } from 'node:crypto';
import { anonymous, type Principal } from '../domain/identity/principal.js';
import { createMemoryCache } from '../platform/cache.js';
import type { RobotStore } from '../db/robots.js';
import type { UserStore } from '../db/users.js';
import type { IdentityCache } from './identity-cache.js';
import type { LoginThrottle } from './login-throttle.js';
import { generatePassword, hashPassword, verifyPassword } from './passwords.js';

export type AuthResult =
  | { ok: true; principal: Principal }
  | { ok: false; reason: 'invalid' | 'throttled'; retryAfterMs: number };

export const robotPrefix = 'robot$';

/** How long a verified user password is remembered, so Basic auth need not run argon2 per request. */
const cacheMs = 60_000;

/**
 * Checks a username and password (or robot name and secret). Throttled per account and client.
 * Successful checks are cached under a hash of the credentials, never the password itself; a
 * cached user must still exist (the identity cache, which deletion clears at once) and a cached
 * robot is re-read from the database on every use.
 */
export function createAuthenticator(deps: { users: UserStore; robots: RobotStore; throttle: LoginThrottle; identity: Pick<IdentityCache, 'userExists'> }) {
  const { users, robots, throttle, identity } = deps;
  const cache = createMemoryCache<string, { principal: Principal; until: number; username: string }>({ max: 10_000, ttlMs: cacheMs });
  const decoyHash = hashPassword(generatePassword());

  /** A robot as it is right now: disabling, expiring or re-granting one takes effect at once. */
  async function currentRobot(name: string, now: number, secret: string | null): Promise<Principal | null> {
    const robot = await robots.byName(name);
    if (!robot) {
      // As for users: an unknown robot costs the same argon2 work as a wrong secret, so response
      // time does not tell which robot names exist.
      if (secret !== null) await verifyPassword(await decoyHash, secret);
      return null;
    }
    if (secret !== null && !(await verifyPassword(robot.secret_hash, secret))) return null;
    if (robot.disabled || (robot.expires_at !== -1 && robot.expires_at <= now)) return null;
    return { kind: 'robot', id: robot.id, name: robot.name, level: robot.level, grants: await robots.grantsOf(robot.id) };
  }

  async function check(username: string, password: string, now: number): Promise<Principal | null> {
    if (username.startsWith(robotPrefix)) return currentRobot(username, now, password);
    const user = await users.byName(username);
    if (!user) {
      // Same argon2 work as for a real user, so response time does not reveal who exists.
      await verifyPassword(await decoyHash, password);
      return null;
    }
    if (!(await verifyPassword(user.password_hash, password))) return null;
    return { kind: 'user', id: user.id, name: user.username, sysadmin: user.sysadmin === 1 };
  }

  /** Bumped by every forget, so a check that was running then does not remember what it read. */
  let forgets = 0;
  const queues = new Map<string, Promise<void>>();
  async function oneAtATime<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = queues.get(key) ?? Promise.resolve();
    let done!: () => void;
    const mine = before.then(() => new Promise<void>((r) => (done = r)));
    queues.set(key, mine);
    await before;
    try {
      return await work();
    } finally {
      done();
      if (queues.get(key) === mine) queues.delete(key);
    }
  }
  return {
    async password(username: string, password: string, ip: string, now = Date.now()): Promise<AuthResult> {
      const key = createHash('sha256').update(`${username}\0${password}`).digest('hex');
      const cached = cache.get(key);
      if (cached && cached.until > now) {
        const p = cached.principal;
        if (p.kind === 'user' && (await identity.userExists(p.id, now))) return { ok: true, principal: p };
        if (p.kind === 'robot') {
          const robot = await currentRobot(cached.username, now, null);
          if (robot) return { ok: true, principal: robot };
        }
        cache.delete(key);
      }
      // One check at a time per account and client on this instance: guesses sent in parallel
      // would otherwise all pass the throttle before the first failure is counted.
      return oneAtATime(`${username}\0${ip}`, async (): Promise<AuthResult> => {
        const wait = await throttle.retryAfter(username, ip, now);
        if (wait > 0) return { ok: false, reason: 'throttled', retryAfterMs: wait };
        // A forget that lands while the check runs (a password changed meanwhile) must win: what
        // this check read may be the old password, so it is not remembered.
        const generation = forgets;
        const principal = await check(username, password, now);
        if (!principal) {
          await throttle.failed(username, ip, now);
          return { ok: false, reason: 'invalid', retryAfterMs: 0 };
        }
        await throttle.succeeded(username, ip);
        if (forgets === generation) cache.set(key, { principal, until: now + cacheMs, username });
        return { ok: true, principal };
      });
    },

    /** The user or robot a token was issued to, as they are now (null: gone, or a robot disabled or expired). */
    async principalOf(ref: { kind: 'user' | 'robot'; id: number } | null, now = Date.now()): Promise<Principal | null> {
      if (ref === null) return anonymous;
      if (ref.kind === 'user') {
        const u = await users.byId(ref.id);
        return u ? { kind: 'user', id: u.id, name: u.username, sysadmin: u.sysadmin === 1 } : null;
      }
      const r = await robots.byId(ref.id);
      return r ? currentRobot(r.name, now, null) : null;
    },

    /** Drops remembered logins of a user or robot (password or secret changed, deleted, role changed). */
    async forget(username: string): Promise<void> {
      forgets++;
      cache.deleteWhere((v) => v.username === username);
    },

    /** Drops every remembered login (the shared bus may have missed a forget). */
    forgetAll(): void {
      forgets++;
      cache.clear();
    },
  };
}

export type Authenticator = ReturnType<typeof createAuthenticator>;
