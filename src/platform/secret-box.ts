import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Reversible encryption of the secrets Haven must keep readable (keys, credentials it presents to
 * others), under one configured secret key, as Harbor's `secretkey` does (Harbor: AES-CFB with
 * an `<enc-v1>` prefix; here AES-256-GCM, which also refuses a tampered value).
 *
 * Text format: `enc:v1:<iv>:<ciphertext>:<tag>`, each part base64url. The version names the
 * whole scheme (HKDF-SHA256 key, AES-256-GCM, 12-byte IV, 16-byte tag), so a later scheme can
 * sit beside it and old values still open. Any other text is a plain (never sealed) value.
 */
const prefix = 'enc:v1:';
const sealedPattern = /^enc:v1:([A-Za-z0-9_-]{16}):([A-Za-z0-9_-]*):([A-Za-z0-9_-]{22})$/;

/** Fixed HKDF inputs: the derived key is for this scheme only, whatever else uses the secret. */
const hkdfSalt = Buffer.from('haven secret box');
const hkdfInfo = Buffer.from('enc:v1 aes-256-gcm');

/** Why a sealed value cannot be opened; the caller decides what that means (start-up, 500). */
export class SecretBoxError extends Error {
  constructor(
    readonly reason: 'no-key' | 'wrong-key-or-altered' | 'malformed' | 'unknown-version',
    message: string,
  ) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

/**
 * The secret as configured, inline or in a file: a final line break (`openssl rand -hex 32 >
 * file`, a YAML block) is not part of it, so the same key written either way is the same key.
 */
export function secretKeyText(raw: Buffer): Buffer {
  let end = raw.length;
  if (end > 0 && raw[end - 1] === 0x0a) end--;
  if (end > 0 && raw[end - 1] === 0x0d) end--;
  return raw.subarray(0, end);
}

/** The 32-byte AES key for a configured secret (at least 32 bytes; the config checks it). */
export function deriveBoxKey(secret: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, hkdfSalt, hkdfInfo, 32));
}

/** True for text made by `seal` (of any version): such text must never be used as is. */
export function isSealed(text: string): boolean {
  return /^enc:v\d+:/.test(text);
}

/**
 * Encrypts `plain`. `context` (e.g. the row it is kept in) is authenticated but not stored: a
 * sealed value copied into another place does not open there.
 */
export function seal(key: Buffer, plain: string, context = ''): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context));
  const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `${prefix}${iv.toString('base64url')}:${ct.toString('base64url')}:${cipher.getAuthTag().toString('base64url')}`;
}

/** Decrypts what `seal` made with the same key and context; anything else throws SecretBoxError. */
export function open(key: Buffer, sealed: string, context = ''): string {
  if (!sealed.startsWith(prefix)) {
    if (isSealed(sealed)) throw new SecretBoxError('unknown-version', `sealed by a newer Haven (${sealed.slice(0, sealed.indexOf(':', 4) + 1)})`);
    throw new SecretBoxError('malformed', 'not a sealed value');
  }
  const m = sealedPattern.exec(sealed);
  if (!m) throw new SecretBoxError('malformed', 'a sealed value is cut or malformed');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(m[1]!, 'base64url'));
  decipher.setAAD(Buffer.from(context));
  decipher.setAuthTag(Buffer.from(m[3]!, 'base64url'));
  try {
    return Buffer.concat([decipher.update(Buffer.from(m[2]!, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretBoxError('wrong-key-or-altered', 'does not open with this secret key (another key sealed it, or it was altered)');
  }
}

/**
 * What stores keep secrets through. With a key, `seal` encrypts and `open` decrypts (a plain
 * value, kept before the key was set, is returned as is: `needsSealing` tells the store to
 * seal it in place). Without a key, values stay plain, and a sealed one cannot be opened.
 */
export interface Sealer {
  readonly enabled: boolean;
  seal(plain: string, context?: string): string;
  open(stored: string, context?: string): string;
  needsSealing(stored: string): boolean;
}

export function createSealer(secret: Buffer | null): Sealer {
  if (secret === null) {
    return {
      enabled: false,
      seal: (plain) => plain,
      open: (stored) => {
        if (isSealed(stored)) throw new SecretBoxError('no-key', 'is encrypted, and no secret key is configured');
        return stored;
      },
      needsSealing: () => false,
    };
  }
  const key = deriveBoxKey(secret);
  return {
    enabled: true,
    seal: (plain, context) => seal(key, plain, context),
    open: (stored, context) => (isSealed(stored) ? open(key, stored, context) : stored),
    needsSealing: (stored) => !isSealed(stored),
  };
}
