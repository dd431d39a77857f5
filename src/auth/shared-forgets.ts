import type { InvalidationBus } from '../platform/invalidation.js';
import type { Logger } from '../platform/logger.js';
import type { IdentityCache } from './identity-cache.js';

/**
 * Every "forget" of an in-memory cache of database state, carried to all instances by the
 * invalidation bus: the local cache is the same, only its forgets go through `bus.publish`, and
 * each instance's handler does the real forgetting (null from the bus: drop everything).
 */

/** The identity cache whose forgets (project deleted, user deleted, robot disabled, member removed...) reach every instance. */
export function sharedIdentityCache(inner: IdentityCache & { forgetAll(): void }, bus: InvalidationBus): IdentityCache {
  const handle = (forget: (key: string) => Promise<void>) => (key: string | null) => {
    if (key === null) inner.forgetAll();
    else void forget(key);
  };
  bus.on('identity.project', handle((name) => inner.forgetProject(name)));
  bus.on('identity.user', handle((id) => inner.forgetUser(Number(id))));
  bus.on('identity.robot', handle((id) => inner.forgetRobot(Number(id))));
  bus.on('identity.members', handle((id) => inner.forgetMembers(Number(id))));
  return {
    projectId: inner.projectId,
    project: inner.project,
    userExists: inner.userExists,
    robotUsable: inner.robotUsable,
    role: inner.role,
    forgetProject: (name) => bus.publish('identity.project', name),
    forgetUser: (id) => bus.publish('identity.user', String(id)),
    forgetRobot: (id) => bus.publish('identity.robot', String(id)),
    forgetMembers: (projectId) => bus.publish('identity.members', String(projectId)),
  };
}

/** The authenticator whose `forget(username)` (password or secret changed, deleted) drops remembered logins everywhere. */
export function sharedLoginForgets<A extends { forget(username: string): Promise<void>; forgetAll(): void }>(inner: A, bus: InvalidationBus): A {
  bus.on('login', (username) => {
    if (username === null) inner.forgetAll();
    else void inner.forget(username);
  });
  return { ...inner, forget: (username: string) => bus.publish('login', username) };
}

/** The cached settings' "read again now" (read-only, token lifetime), on every instance (their TTL bounds staleness anyway). */
export function sharedSettingsForget(forget: () => void, bus: InvalidationBus, log?: Logger): () => void {
  // The topic keeps its first name: an instance of the previous version still publishes on it.
  bus.on('read-only', () => forget());
  return () => {
    bus.publish('read-only', '').catch((err: Error) => log?.warn({ err: err.message }, 'could not tell other instances of the settings change'));
  };
}
