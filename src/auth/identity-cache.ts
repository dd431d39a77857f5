import type { MemberStore } from '../db/members.js';
import type { ProjectStore } from '../db/projects.js';
import type { RobotStore } from '../db/robots.js';
import type { UserStore } from '../db/users.js';
import { type Cache, createMemoryCache } from '../platform/cache.js';

/**
 * Whether the projects, users and robots a token or a remembered login speaks for still exist
 * (ids are never reused, so "same id" means "same thing"), whether a project is public (an
 * anonymous pull's one question), and a user's role in a project (every request with Basic
 * credentials asks it). Asked on every registry request, so it
 * answers from memory: entries live `ttlMs` (the bound on staleness across instances and the CLI)
 * and the services drop them the moment they change something. Small on purpose, so a shared
 * (Redis) implementation can replace the in-process one.
 */
export interface IdentityCache {
  /** The id of the project of this name now, or null when there is none. */
  projectId(name: string, now?: number): Promise<number | null>;
  /** The project of this name now, as far as an anonymous or robot pull needs it; null: none. */
  project(name: string, now?: number): Promise<CachedProject | null>;
  userExists(id: number, now?: number): Promise<boolean>;
  /** Exists, is enabled and has not expired. */
  robotUsable(id: number, now?: number): Promise<boolean>;
  /** The user's role id in the project, or null when not a member. */
  role(projectId: number, userId: number, now?: number): Promise<number | null>;
  /** Async: a shared implementation must tell the other instances before the change is answered. */
  forgetProject(name: string): Promise<void>;
  forgetUser(id: number): Promise<void>;
  forgetRobot(id: number): Promise<void>;
  /** Every membership of the project (a member added, removed, or given another role). */
  forgetMembers(projectId: number): Promise<void>;
}

export interface CachedProject {
  id: number;
  public: boolean;
}

type ProjectRowPart = { id: number; public: number };

/** What the cache keeps of a project row. */
export function cachedProject(row: ProjectRowPart): CachedProject;
export function cachedProject(row: ProjectRowPart | null | undefined): CachedProject | null;
export function cachedProject(row: ProjectRowPart | null | undefined): CachedProject | null {
  return row ? { id: row.id, public: row.public === 1 } : null;
}

const maxEntries = 10_000;

export function createIdentityCache(
  deps: { projects: Pick<ProjectStore, 'byName'>; users: Pick<UserStore, 'byId'>; robots: Pick<RobotStore, 'byId'>; members: Pick<MemberStore, 'roleOf'> },
  opts: { ttlMs?: number } = {},
): IdentityCache & { forgetAll(): void } {
  const ttlMs = opts.ttlMs ?? 5_000;
  // `until` decides freshness (so tests can pass `now`); the cache's own TTL only bounds memory.
  const bounds = { max: maxEntries, ttlMs };
  const projects = createMemoryCache<string, { value: CachedProject | null; until: number }>(bounds);
  const users = createMemoryCache<number, { value: boolean; until: number }>(bounds);
  /** A robot's expiry is kept, not its "usable" verdict, so expiring takes effect to the millisecond. */
  const robots = createMemoryCache<number, { value: { disabled: boolean; expiresAt: number } | null; until: number }>(bounds);
  /** Keyed `projectId:userId`; null (not a member) is kept too. */
  const roles = createMemoryCache<string, { value: number | null; until: number }>(bounds);

  /** Bumped by every forget: a lookup that was under way then must not store what it read before. */
  let epoch = 0;

  async function cached<K, V>(map: Cache<K, { value: V; until: number }>, key: K, now: number, load: () => Promise<V>): Promise<V> {
    const hit = map.get(key);
    if (hit && hit.until > now) return hit.value;
    const started = epoch;
    const value = await load();
    if (started !== epoch) return value;
    map.set(key, { value, until: now + ttlMs });
    return value;
  }

  const project = (name: string, now = Date.now()) =>
    cached(projects, name, now, async () => cachedProject(await deps.projects.byName(name)));

  return {
    project,
    projectId: async (name, now = Date.now()) => (await project(name, now))?.id ?? null,
    userExists: (id, now = Date.now()) => cached(users, id, now, async () => (await deps.users.byId(id)) !== null),
    async robotUsable(id, now = Date.now()) {
      const r = await cached(robots, id, now, async () => {
        const row = await deps.robots.byId(id);
        return row ? { disabled: row.disabled === 1, expiresAt: row.expires_at } : null;
      });
      return r !== null && !r.disabled && (r.expiresAt === -1 || r.expiresAt > now);
    },
    role: (projectId, userId, now = Date.now()) => cached(roles, `${projectId}:${userId}`, now, () => deps.members.roleOf(projectId, userId)),
    async forgetProject(name) {
      epoch++;
      projects.delete(name);
    },
    async forgetUser(id) {
      epoch++;
      users.delete(id);
    },
    async forgetRobot(id) {
      epoch++;
      robots.delete(id);
    },
    async forgetMembers(projectId) {
      epoch++;
      const prefix = `${projectId}:`;
      roles.deleteWhere((_, key) => key.startsWith(prefix));
    },
    /** Everything: the shared bus may have missed changes (its connection was lost). */
    forgetAll() {
      epoch++;
      projects.clear();
      users.clear();
      robots.clear();
      roles.clear();
    },
  };
}
