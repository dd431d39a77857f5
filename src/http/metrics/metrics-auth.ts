import { createHash, timingSafeEqual } from 'node:crypto';

export interface MetricsCredentials {
  username: string;
  password: string;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Whether an Authorization header carries the metrics scraper's Basic credentials. No
 * credentials configured: everyone may scrape. Compared as hashes, in constant time.
 */
export function metricsAuthorized(header: string | undefined, creds: MetricsCredentials | null): boolean {
  if (!creds) return true;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return false;
  const given = Buffer.from(m[1]!, 'base64').toString('utf8');
  return timingSafeEqual(digest(given), digest(`${creds.username}:${creds.password}`));
}

export const metricsChallenge = 'Basic realm="haven-metrics", charset="UTF-8"';
