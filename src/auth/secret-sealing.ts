import { readFile } from 'node:fs/promises';
import type { Db } from '../db/database.js';
import { createSharedKeyStore, type SharedKeyStore } from '../db/shared-keys.js';
import type { Logger } from '../platform/logger.js';
import { createSealer, secretKeyText, type Sealer } from '../platform/secret-box.js';
import { StartupProblem } from '../platform/startup-problem.js';

/** The `secrets` config section (Harbor's secretkey), and whether the signing key is configured. */
export interface SecretSettings {
  secrets: { key: string; keyFile: string };
  auth: { signingKey: string; signingKeyFile: string };
}

/** The configured secret key, or null. The schema checked it; a file changed since is checked again. */
async function configuredSecret(secrets: SecretSettings['secrets']): Promise<Buffer | null> {
  if (secrets.key !== '') return secretKeyText(Buffer.from(secrets.key));
  if (secrets.keyFile === '') return null;
  const bytes = secretKeyText(await readFile(secrets.keyFile));
  if (bytes.length < 32) throw new StartupProblem('secrets.keyFile', `${secrets.keyFile} must hold at least 32 bytes (it holds ${bytes.length})`);
  return bytes;
}

/**
 * The sealer every store keeping a secret in the database uses (`sealer.seal(text)` before
 * writing, `sealer.open(text)` after reading), and the shared key store, made ready: values
 * kept plain before secrets.key was set are sealed now, and a value that cannot be opened stops
 * start-up here, before anything uses it.
 */
export async function openSecrets(db: Db, config: SecretSettings, log: Logger): Promise<{ sealer: Sealer; sharedKeys: SharedKeyStore }> {
  const sealer = createSealer(await configuredSecret(config.secrets));
  const sharedKeys = createSharedKeyStore(db, sealer);
  const { sealed } = await sharedKeys.sealPlainValues();
  if (sealed > 0) log.info({ sealed }, 'secrets.key is set: the keys kept in plain text in the database are now encrypted');
  if (!sealer.enabled && config.auth.signingKey === '' && config.auth.signingKeyFile === '') {
    log.info('the token signing key is kept in plain text in the database: whoever can read the database (or a dump of it) can sign tokens, unless secrets.key is set');
  }
  return { sealer, sharedKeys };
}
