import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/** argon2id with the library's defaults (OWASP's recommended minimum). */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

/** Constant-time inside argon2's verify; a malformed stored hash is simply a mismatch. */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/** A strong random password that also satisfies Harbor's rule (upper, lower, digit). */
export function generatePassword(): string {
  const base = randomBytes(18).toString('base64url');
  return `Hv${base}7a`;
}
