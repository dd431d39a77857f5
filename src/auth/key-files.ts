import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Where keys come from: configuration (shared by instances), a file it names, or the data dir. */
export interface KeySources {
  signingKey: string;
  signingKeyFile: string;
  csrfKey: string;
  csrfKeyFile: string;
}

/**
 * A secret kept in the data dir (0600), created on first use. `wx` makes two instances starting
 * together agree on one key instead of overwriting each other's.
 */
async function loadOrCreate(file: string, create: () => Buffer | string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch {
    await writeFile(file, create(), { mode: 0o600, flag: 'wx' }).catch(() => {});
    return readFile(file);
  }
}

/** The token signing key, PEM. The config schema has already checked configured material. */
export async function signingKeyPem(keys: KeySources, dataDir: string): Promise<string> {
  if (keys.signingKey !== '') return keys.signingKey;
  if (keys.signingKeyFile !== '') return readFile(keys.signingKeyFile, 'utf8');
  const pem = await loadOrCreate(join(dataDir, 'token-signing-key.pem'), () =>
    generateKeyPairSync('ec', { namedCurve: 'P-256', privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey,
  );
  return pem.toString('utf8');
}

/** The HMAC key binding CSRF tokens to portal sessions. */
export async function csrfKey(keys: KeySources, dataDir: string): Promise<Buffer> {
  if (keys.csrfKey !== '') return Buffer.from(keys.csrfKey);
  if (keys.csrfKeyFile !== '') return readFile(keys.csrfKeyFile);
  return loadOrCreate(join(dataDir, 'csrf-key'), () => randomBytes(32));
}
