import { randomBytes } from 'node:crypto';
import { hashPassword } from './passwords.js';

/** A robot secret: 256 random bits. Callers may also choose their own (Harbor's password rule). */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Robot secrets are hashed like passwords (argon2id): a caller-chosen secret may be weak, and
 * the authenticator's cache keeps per-request cost low for robots that pull on every build.
 */
export function hashSecret(secret: string): Promise<string> {
  return hashPassword(secret);
}
