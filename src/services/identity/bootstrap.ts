import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { generatePassword, hashPassword } from '../../auth/passwords.js';
import type { UserStore } from '../../db/users.js';
import { isUniqueViolation } from '../../platform/errors.js';

export interface BootstrapResult {
  created: boolean;
  /** Only when Haven generated it: shown once, and kept in a 0600 file. */
  generatedPassword: string | null;
  passwordFile: string | null;
}

/**
 * Creates `admin` on first start. The password comes from configuration; with none configured
 * a strong one is generated, never a well-known default, and written to its file before the
 * admin is committed: a crash in between leaves a file and no admin (the next start writes a
 * new one), never an admin whose password nobody was told. (The configured one was already
 * checked against the password rule when the configuration was loaded.)
 */
export async function ensureAdmin(users: UserStore, dataDir: string, configured: string): Promise<BootstrapResult> {
  if (await users.byName('admin')) return { created: false, generatedPassword: null, passwordFile: null };
  const password = configured || generatePassword();
  const passwordFile = configured ? null : join(dataDir, 'admin-password');
  if (passwordFile) await writeDurably(passwordFile, `${password}\n`);
  try {
    await users.create({
      username: 'admin',
      email: null,
      realname: 'System Administrator',
      comment: 'created at first start',
      passwordHash: await hashPassword(password),
      sysadmin: true,
    });
  } catch (err) {
    // Another instance on the same database created admin first: its password is the one.
    if (!isUniqueViolation(err)) throw err;
    if (passwordFile) await rm(passwordFile, { force: true });
    return { created: false, generatedPassword: null, passwordFile: null };
  }
  return { created: true, generatedPassword: configured ? null : password, passwordFile };
}

/** Written and fsynced (0600) before it counts as written. */
async function writeDurably(file: string, text: string): Promise<void> {
  const fh = await open(file, 'w', 0o600);
  try {
    await fh.chmod(0o600);
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
}
