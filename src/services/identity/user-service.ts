import { hashPassword, verifyPassword } from '../../auth/passwords.js';
import type { Authenticator } from '../../auth/authenticator.js';
import type { IdentityCache } from '../../auth/identity-cache.js';
import { passwordProblem } from '../../domain/identity/password-policy.js';
import { isSysadmin, principalName, type Principal } from '../../domain/identity/principal.js';
import { findCondition, parseQuery, parseSort } from '../../domain/query/harbor-query.js';
import type { UserRow } from '../../db/schema.js';
import type { UserStore } from '../../db/users.js';
import { AppError } from '../../platform/errors.js';
import type { AuditLog } from '../audit/audit-log.js';
import { requireLogin, requireSysadmin } from './guards.js';

export interface UserView {
  user_id: number;
  username: string;
  email: string;
  realname: string;
  comment: string;
  sysadmin_flag: boolean;
  admin_role_in_auth: boolean;
  creation_time: string;
  update_time: string;
}

export function toUserView(u: UserRow): UserView {
  return {
    user_id: u.id,
    username: u.username,
    email: u.email ?? '',
    realname: u.realname,
    comment: u.comment,
    sysadmin_flag: u.sysadmin === 1,
    admin_role_in_auth: false,
    creation_time: new Date(u.created_at).toISOString(),
    update_time: new Date(u.updated_at).toISOString(),
  };
}

const usernamePattern = /^[^\s,~#$%:"'<>&\\]{1,255}$/;
/** Harbor's email check: dot-separated local atoms without specials, @, a dotted domain with a 2+ letter TLD. */
const emailPattern = /^[^<>()[\]\\.,;:\s@"]+(?:\.[^<>()[\]\\.,;:\s@"]+)*@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}$/;

function checkEmail(email: string | undefined): void {
  if (email && !emailPattern.test(email)) throw new AppError('BAD_REQUEST', 'email with illegal format');
}
const sortColumns = { username: 'username', email: 'email', creation_time: 'created_at', update_time: 'updated_at', user_id: 'id' } as const;

export interface NewUserRequest {
  username: string;
  password: string;
  email?: string | undefined;
  realname?: string | undefined;
  comment?: string | undefined;
}

export function createUserService(deps: {
  users: UserStore;
  authenticator: Authenticator;
  audit: AuditLog;
  selfRegistration: () => Promise<boolean>;
  /** Ends the user's portal sessions (password changed, deleted, role changed). */
  endSessions: (userId: number) => Promise<void>;
  /** Told of every deleted user: their registry tokens stop at once. */
  identity: Pick<IdentityCache, 'forgetUser'>;
}) {
  const { users, authenticator, audit } = deps;

  async function revoke(u: UserRow): Promise<void> {
    await authenticator.forget(u.username);
    await deps.endSessions(u.id);
  }

  async function load(id: number): Promise<UserRow> {
    const u = await users.byId(id);
    if (!u) throw new AppError('NOT_FOUND', `user ${id} not found`);
    return u;
  }

  function record(actor: Principal, operation: string, resource: string, ip: string) {
    audit.record({ projectId: null, operation, resourceType: 'user', resource, username: principalName(actor), clientIp: ip, success: true });
  }

  function checkPassword(password: string): void {
    const problem = passwordProblem(password);
    if (problem) throw new AppError('BAD_REQUEST', problem);
  }

  return {
    async list(actor: Principal, q: string | undefined, sort: string | undefined, page: { offset: number; limit: number }) {
      requireSysadmin(actor);
      const conds = parseQuery(q, ['username', 'email']);
      const f: Parameters<UserStore['list']>[0] = {};
      for (const key of ['username', 'email'] as const) {
        const c = findCondition(conds, key);
        if (c?.op === 'eq') f[key] = c.value;
        else if (c?.op === 'like') f[key === 'username' ? 'usernameLike' : 'emailLike'] = c.value;
        else if (c) throw new AppError('BAD_REQUEST', `${key} supports exact (=) and fuzzy (=~) matches`);
      }
      const order = parseSort(sort, Object.keys(sortColumns)).map((s) => ({ column: sortColumns[s.key as keyof typeof sortColumns], desc: s.desc }));
      const { rows, total } = await users.list(f, page, order);
      return { items: rows.map(toUserView), total };
    },

    /** By an admin, or by anyone when self-registration is on; never creates an administrator. */
    async create(actor: Principal, req: NewUserRequest, ip: string): Promise<number> {
      if (!isSysadmin(actor)) {
        if (actor.kind !== 'anonymous' || !(await deps.selfRegistration())) requireSysadmin(actor);
      }
      if (!usernamePattern.test(req.username) || req.username.startsWith('robot$')) {
        throw new AppError('BAD_REQUEST', 'username must be 1-255 characters without spaces or any of ,~#$%:"\'<>&\\ and may not start with robot$');
      }
      checkPassword(req.password);
      checkEmail(req.email);
      if (await users.byName(req.username)) throw new AppError('CONFLICT', `username ${req.username} is already taken`);
      if (req.email && (await users.byEmail(req.email))) throw new AppError('CONFLICT', `email ${req.email} is already used`);
      const passwordHash = await hashPassword(req.password);
      // The checks above give the usual answer; two creates racing past them meet the unique
      // indexes on username and email, and the loser is told as if it had come second.
      const id = await users
        .create({ username: req.username, email: req.email || null, realname: req.realname ?? '', comment: req.comment ?? '', passwordHash, sysadmin: false })
        .catch(async (err: unknown) => {
          if (await users.byName(req.username)) throw new AppError('CONFLICT', `username ${req.username} is already taken`);
          if (req.email && (await users.byEmail(req.email))) throw new AppError('CONFLICT', `email ${req.email} is already used`);
          throw err;
        });
      record(actor.kind === 'anonymous' ? { kind: 'user', id, name: req.username, sysadmin: false } : actor, 'create', req.username, ip);
      return id;
    },

    async get(actor: Principal, id: number): Promise<UserView> {
      requireLogin(actor);
      if (!isSysadmin(actor) && !(actor.kind === 'user' && actor.id === id)) throw new AppError('FORBIDDEN', 'you may only read your own user');
      return toUserView(await load(id));
    },

    async current(actor: Principal): Promise<UserView> {
      requireLogin(actor);
      if (actor.kind !== 'user') throw new AppError('FORBIDDEN', 'robots have no user profile');
      return toUserView(await load(actor.id));
    },

    async updateProfile(actor: Principal, id: number, p: { email?: string | undefined; realname?: string | undefined; comment?: string | undefined }, ip: string) {
      requireLogin(actor);
      if (!isSysadmin(actor) && !(actor.kind === 'user' && actor.id === id)) throw new AppError('FORBIDDEN', 'you may only change your own profile');
      const u = await load(id);
      checkEmail(p.email);
      if (p.email && p.email !== u.email) {
        const other = await users.byEmail(p.email);
        if (other && other.id !== id) throw new AppError('CONFLICT', `email ${p.email} is already used`);
      }
      await users.updateProfile(id, { ...(p.email !== undefined ? { email: p.email || null } : {}), ...(p.realname !== undefined ? { realname: p.realname } : {}), ...(p.comment !== undefined ? { comment: p.comment } : {}) });
      record(actor, 'update', u.username, ip);
    },

    async delete(actor: Principal, id: number, ip: string) {
      requireSysadmin(actor);
      if (actor.kind === 'user' && actor.id === id) throw new AppError('FORBIDDEN', 'you cannot delete yourself');
      const u = await load(id);
      await users.delete(id);
      // After the delete, so no login racing it can be remembered past it.
      await deps.identity.forgetUser(id);
      await revoke(u);
      record(actor, 'delete', u.username, ip);
    },

    /** Users change their own password with the old one; admins reset others' without it. */
    async changePassword(actor: Principal, id: number, oldPassword: string | undefined, newPassword: string, ip: string) {
      requireLogin(actor);
      const self = actor.kind === 'user' && actor.id === id;
      if (!self && !isSysadmin(actor)) throw new AppError('FORBIDDEN', 'you may only change your own password');
      const u = await load(id);
      if (self) {
        if (!oldPassword || !(await verifyPassword(u.password_hash, oldPassword))) {
          throw new AppError('FORBIDDEN', 'the old password is wrong');
        }
        if (oldPassword === newPassword) throw new AppError('BAD_REQUEST', 'the new password must differ from the old one');
      }
      checkPassword(newPassword);
      await users.setPassword(id, await hashPassword(newPassword));
      await revoke(u);
      record(actor, 'update', `${u.username}/password`, ip);
    },

    async setSysadmin(actor: Principal, id: number, flag: boolean, ip: string) {
      requireSysadmin(actor);
      const u = await load(id);
      if (actor.kind === 'user' && actor.id === id && !flag) throw new AppError('FORBIDDEN', 'you cannot revoke your own administrator role');
      await users.setSysadmin(id, flag);
      await revoke(u);
      record(actor, 'update', `${u.username}/sysadmin=${flag}`, ip);
    },

    async search(actor: Principal, username: string, page: { offset: number; limit: number }) {
      requireLogin(actor);
      if (!username) throw new AppError('BAD_REQUEST', 'username is required');
      const { rows, total } = await users.list({ usernameLike: username }, page, [{ column: 'username', desc: false }]);
      return { items: rows.map((u) => ({ user_id: u.id, username: u.username })), total };
    },
  };
}

export type UserService = ReturnType<typeof createUserService>;
