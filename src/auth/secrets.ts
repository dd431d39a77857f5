import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Robot secrets are 256 random bits, so a fast hash is as safe as a slow one and lets robots
 * authenticate on every registry request without argon2's cost.
 */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function secretMatches(storedHash: string, secret: string): boolean {
  const a = Buffer.from(storedHash, 'hex');
  const b = createHash('sha256').update(secret).digest();
  return a.length === b.length && timingSafeEqual(a, b);
}
