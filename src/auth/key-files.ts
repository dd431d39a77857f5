import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';

/**
 * A random secret kept in the data dir (0600), created on first use. `wx` makes two instances
 * starting together agree on one key instead of overwriting each other's.
 */
export async function loadOrCreateSecret(file: string, bytes = 32): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch {
    await writeFile(file, randomBytes(bytes), { mode: 0o600, flag: 'wx' }).catch(() => {});
    return readFile(file);
  }
}
