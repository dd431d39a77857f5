import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SharedKeyStore } from '../db/shared-keys.js';

/** Where keys come from: configuration (it wins), a file it names, or the database. */
export interface KeySources {
  signingKey: string;
  signingKeyFile: string;
  csrfKey: string;
  csrfKeyFile: string;
}

/**
 * Without configuration, a key is kept in the metadata database, so every instance on it signs
 * and checks with the same one with no extra setting. An installation that kept its key in the
 * data dir (before 0.2) moves that key into the database, so its tokens and sessions stay valid.
 */
async function fromDatabase(store: SharedKeyStore, name: string, legacyFile: string, make: () => string, encoding: 'utf8' | 'hex' = 'utf8'): Promise<string> {
  return store.getOrCreate(name, async () => {
    try {
      return (await readFile(legacyFile)).toString(encoding);
    } catch {
      return make();
    }
  });
}

/** The token signing key, PEM. The config schema has already checked configured material. */
export async function signingKeyPem(keys: KeySources, store: SharedKeyStore, dataDir: string): Promise<string> {
  if (keys.signingKey !== '') return keys.signingKey;
  if (keys.signingKeyFile !== '') return readFile(keys.signingKeyFile, 'utf8');
  return fromDatabase(store, 'token-signing-key', join(dataDir, 'token-signing-key.pem'), () =>
    generateKeyPairSync('ec', { namedCurve: 'P-256', privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey,
  );
}

/** The HMAC key binding CSRF tokens to portal sessions. */
export async function csrfKey(keys: KeySources, store: SharedKeyStore, dataDir: string): Promise<Buffer> {
  if (keys.csrfKey !== '') return Buffer.from(keys.csrfKey);
  if (keys.csrfKeyFile !== '') return readFile(keys.csrfKeyFile);
  // Raw bytes, kept as hex text.
  const hex = await fromDatabase(store, 'csrf-key', join(dataDir, 'csrf-key'), () => randomBytes(32).toString('hex'), 'hex');
  return Buffer.from(hex, 'hex');
}
