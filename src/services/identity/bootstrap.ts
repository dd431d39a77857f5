import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generatePassword, hashPassword } from '../../auth/passwords.js';
import type { UserStore } from '../../db/users.js';

export interface BootstrapResult {
  created: boolean;
  /** Only when Haven generated it: shown once, and kept in a 0600 file. */
  generatedPassword: string | null;
  passwordFile: string | null;
}

/**
 * Creates `admin` on first start. The password comes from configuration; with none configured
 * a strong one is generated, never a well-known default. (The configured one was already checked
 * against the password rule when the configuration was loaded.)
 */
export async function ensureAdmin(users: UserStore, dataDir: string, configured: string): Promise<BootstrapResult> {
  if (await users.byName('admin')) return { created: false, generatedPassword: null, passwordFile: null };
  const password = configured || generatePassword();
  await users.create({
    username: 'admin',
    email: null,
    realname: 'System Administrator',
    comment: 'created at first start',
    passwordHash: await hashPassword(password),
    sysadmin: true,
  });
  if (configured) return { created: true, generatedPassword: null, passwordFile: null };
  const passwordFile = join(dataDir, 'admin-password');
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  return { created: true, generatedPassword: password, passwordFile };
}
