import { existsSync, rmSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { createAuthenticator } from '../auth/authenticator.js';
import { createIdentityCache } from '../auth/identity-cache.js';
import { sharedIdentityCache, sharedLoginForgets } from '../auth/shared-forgets.js';
import { createSharedState } from '../shared-state.js';
import { generatePassword } from '../auth/passwords.js';
import { flagName, loadConfig } from '../config/load.js';
import { configKeys } from '../config/schema.js';
import { createAuditStore } from '../db/audit.js';
import { migrateToLatest, openDatabase } from '../db/database.js';
import { createMemberStore } from '../db/members.js';
import { createProjectStore } from '../db/projects.js';
import { createRobotStore } from '../db/robots.js';
import { createSessionStore } from '../db/sessions.js';
import { createUserStore } from '../db/users.js';
import type { Principal } from '../domain/identity/principal.js';
import { isAppError } from '../platform/errors.js';
import { createAuditLog } from '../services/audit/audit-log.js';
import { createUserService } from '../services/identity/user-service.js';

export const userUsage = `Usage:
  haven user create <username> [--admin] [--email <address>] [--password <p> | --password-stdin]
  haven user reset-password <username> [--password <p> | --password-stdin]

Works directly on the data directory (also while the server runs), e.g. for a locked-out admin.
Without a password one is generated and printed once. Prefer --password-stdin to --password,
which other users of this machine can see in the process list.

Options:
  --data-dir <dir>      the server's data directory (as for serve; default ./data)
  --config <file>       read dataDir (and the rest) from this haven.yml, as serve does
  --admin               (create) make the user a system administrator
  --email <address>     (create) the user's email
  --password <p>        the password to set (8-128 characters, upper and lower case and a digit)
  --password-stdin      read the password from the first line of standard input
  --help, -h            show this help
  and every option of haven serve (haven serve --help), so a serve command line can be reused
`;

class UsageError extends Error {}
/** A refusal that needs no usage text (exit 1). */
class Refusal extends Error {}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (/[\r\n]/.test(text)) throw new UsageError('--password-stdin: the password must be a single line');
  return text;
}

/** `haven user <create|reset-password> ...`: sets exitCode 2 for usage errors, 1 for refusals. */
export async function userCommand(argv: string[]): Promise<void> {
  try {
    await run(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`haven user: ${err.message}\n\n${userUsage}`);
      process.exitCode = 2;
    } else if (isAppError(err) || err instanceof Refusal) {
      process.stderr.write(`haven user: ${err.message}\n`);
      process.exitCode = 1;
    } else {
      throw err;
    }
  }
}

async function run(argv: string[]): Promise<void> {
  const [action, ...rest] = argv;
  if (action === undefined || action === 'help' || action === '--help' || action === '-h') {
    process.stdout.write(userUsage);
    return;
  }
  if (action !== 'create' && action !== 'reset-password') throw new UsageError(`unknown action "${action}"`);

  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    config: { type: 'string' },
    admin: { type: 'boolean' },
    email: { type: 'string' },
    password: { type: 'string' },
    'password-stdin': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  };
  // Every serve flag is accepted, so a serve command line's --data-dir (or others) can be reused.
  for (const k of configKeys) options[flagName(k)] ??= { type: 'string' };
  const { values, positionals } = parseArgs({ args: rest, options, strict: true, allowPositionals: true });
  const v = values as Record<string, string | boolean | undefined>;
  if (v.help) {
    process.stdout.write(userUsage);
    return;
  }
  if (positionals.length !== 1) throw new UsageError(`${action} takes exactly one <username>`);
  const username = positionals[0]!;
  if (action === 'reset-password' && (v.admin || v.email !== undefined)) throw new UsageError('--admin and --email are for create');
  if (typeof v.password === 'string' && v['password-stdin']) throw new UsageError('give --password or --password-stdin, not both');

  const flags: Record<string, string | undefined> = {};
  for (const k of configKeys) {
    const value = v[flagName(k)];
    if (typeof value === 'string') flags[flagName(k)] = value;
  }
  const config = loadConfig({ ...(typeof v.config === 'string' ? { file: v.config } : {}), flags });
  const dataDir = resolve(config.dataDir);
  const dbFile = join(dataDir, 'haven.db');
  // Never create an empty database in a mistyped directory.
  if (config.database.url === '' && !existsSync(dbFile)) {
    throw new Refusal(`no Haven database at ${dbFile}; pass the server's --data-dir (or --config), or start haven serve once`);
  }

  const given = typeof v.password === 'string' ? v.password : v['password-stdin'] ? await readStdin() : undefined;
  const generated = given === undefined;
  const password = given ?? generatePassword();

  // With redis.url, running servers hear of the change at once (their remembered logins are dropped).
  const shared = await createSharedState(config.redis);
  const database = await openDatabase(config.database, dataDir);
  // Errors only (an audit write that failed), to stderr: stdout carries the answer.
  const log = pino({ level: 'error', base: { service: 'haven-cli' } }, pino.destination({ dest: 2, sync: true }));
  try {
    await migrateToLatest(database);
    const users = createUserStore(database.db);
    const robots = createRobotStore(database.db);
    // This process serves nothing: a running server notices changes through the shared bus
    // (redis.url), or else through its cache's expiry.
    const identity = sharedIdentityCache(createIdentityCache({ users, robots, projects: createProjectStore(database.db), members: createMemberStore(database.db) }), shared.bus);
    const audit = createAuditLog(createAuditStore(database.db), log);
    const service = createUserService({
      users,
      authenticator: sharedLoginForgets(createAuthenticator({ users, robots, throttle: shared.throttle, identity }), shared.bus),
      audit,
      selfRegistration: async () => false,
      // A reset from the CLI also ends the user's portal sessions, on every instance.
      endSessions: (userId) => createSessionStore(database.db).deleteForUser(userId),
      identity,
    });
    // Acts as an administrator named after the OS account; ":" cannot occur in a username.
    const actor: Principal = { kind: 'user', id: 0, name: `cli:${osUser()}`, sysadmin: true };
    try {
      if (action === 'create') {
        const id = await service.create(actor, { username, password, ...(typeof v.email === 'string' ? { email: v.email } : {}) }, 'local');
        if (v.admin) await service.setSysadmin(actor, id, true, 'local');
        process.stdout.write(`created user ${username} (id ${id}${v.admin ? ', system administrator' : ''})\n`);
      } else {
        const user = await users.byName(username);
        if (!user) throw new Refusal(`user ${username} not found in ${dbFile}`);
        await service.changePassword(actor, user.id, undefined, password, 'local');
        // The file the first start wrote the generated admin password to is stale now.
        const firstStartFile = join(dataDir, 'admin-password');
        const stale = username === 'admin' && existsSync(firstStartFile);
        if (stale) rmSync(firstStartFile, { force: true });
        process.stdout.write(
          `password of ${username} reset${stale ? ` (removed ${firstStartFile}, which held the old one)` : ''}\n` +
            (config.redis.url
              ? '  (servers on the same Redis refuse the old password at once, and keep refusing an address\n' +
                '   or account they throttled after failed logins until that wait is over)\n'
              : '  (a running server may still accept the old password for up to a minute, and keeps refusing\n' +
                '   an address or account it throttled after failed logins until that wait is over)\n'),
        );
      }
      if (generated) process.stdout.write(`password for ${username} (generated, shown once): ${password}\n`);
    } finally {
      await audit.close();
    }
  } finally {
    await database.close();
    await shared.close();
  }
}

function osUser(): string {
  try {
    return userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}
