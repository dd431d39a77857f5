import { isIP } from 'node:net';
import { z } from 'zod';
import { parseDuration } from '../platform/duration.js';
import { passwordProblem } from '../domain/identity/password-policy.js';

/** A duration: "90s", "30m", "24h", "7d" or milliseconds. Exported so help can show its defaults so. */
export const duration = z
  .union([z.string(), z.number()])
  .transform((v, ctx) => {
    try {
      return parseDuration(v);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });

const listen = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[^:\s]+):\d{1,5}$/, 'must be host:port, e.g. 0.0.0.0:5000')
  .superRefine((v, ctx) => {
    const port = v.slice(v.lastIndexOf(':') + 1);
    if (Number(port) > 65535) ctx.addIssue({ code: 'custom', message: `port ${port} is out of range (0-65535)` });
  });

/** The names Fastify's proxy-addr knows besides addresses and CIDRs. */
const proxyRangeNames = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** An address, a CIDR (address/prefix) or one of proxy-addr's range names. */
function isProxyEntry(entry: string): boolean {
  if (proxyRangeNames.has(entry) || isIP(entry) !== 0) return true;
  const m = /^([^/]+)\/(\d{1,3})$/.exec(entry);
  if (!m) return false;
  const family = isIP(m[1]!);
  return family !== 0 && Number(m[2]) <= (family === 4 ? 32 : 128);
}

const trustProxy = z
  .union([z.boolean(), z.string(), z.array(z.string())])
  .transform((v, ctx): boolean | string[] => {
    if (typeof v === 'boolean') return v;
    if (v === '' || v === 'false') return false;
    if (v === 'true') return true;
    const entries = (Array.isArray(v) ? v : v.split(',')).map((x) => x.trim()).filter((x) => x !== '');
    const bad = entries.find((x) => !isProxyEntry(x));
    if (bad !== undefined || entries.length === 0) {
      ctx.addIssue({
        code: 'custom',
        message: `must be true, false or a comma-separated list of proxy addresses or CIDRs (e.g. 10.0.0.0/8,::1), not ${JSON.stringify(bad ?? v)}`,
      });
      return z.NEVER;
    }
    return entries;
  });

/**
 * Every key has a default; haven.yml, HAVEN_* variables and flags override in that order. Every
 * leaf has a .describe(): that text is its line in `haven serve --help`.
 */
export const configSchema = z
  .object({
    listen: listen.default('0.0.0.0:5000').describe('address and port to listen on (host:port; port 0 picks a free one)'),
    dataDir: z.string().min(1).default('./data').describe('directory of the metadata database (haven.db) and the blobs (storage/)'),
    externalUrl: z
      .string()
      .regex(/^(https?:\/\/[^/\s]+\/?)?$/, 'must be empty or an http(s) URL with no path')
      .default('')
      .describe('the URL clients use behind a proxy, e.g. https://haven.example.com (empty: as asked)'),
    /**
     * Behind a reverse proxy: "true" trusts X-Forwarded-For/-Proto/-Host from any hop, or a
     * comma-separated list of proxy addresses/CIDRs trusts only those. Client IPs (throttling,
     * audit) and the token realm come from these headers only when trusted.
     */
    trustProxy: trustProxy.default(false).describe('trust X-Forwarded-*: true (any proxy), false, or a comma list of proxy addresses/CIDRs'),
    adminPassword: z
      .string()
      .default('')
      .superRefine((v, ctx) => {
        const problem = v === '' ? null : passwordProblem(v);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .describe('initial password of admin, used only when Haven creates it (empty: generated)'),
    log: z
      .object({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('fatal, error, warn, info, debug, trace or silent'),
        file: z.string().default('').describe('write the log (one JSON line per request) to this file (empty: stdout)'),
      })
      .strict()
      .prefault({}),
    registry: z
      .object({
        automaticMount: z
          .union([z.boolean(), z.enum(['true', 'false'])])
          .transform((v) => v === true || v === 'true')
          .default(true)
          .describe('true: a mount without from= finds the blob in any repository the caller can read'),
      })
      .strict()
      .prefault({}),
    auth: z
      .object({
        tokenTtl: duration.default(30 * 60_000).describe('lifetime of registry bearer tokens'),
        sessionIdle: duration.default(60 * 60_000).describe('portal sessions end after this long without a request'),
      })
      .strict()
      .prefault({}),
    audit: z
      .object({
        retentionDays: z.coerce.number().int().min(1).max(36500).default(180).describe('audit records older than this many days are deleted'),
      })
      .strict()
      .prefault({}),
    uploads: z
      .object({
        purgeAge: duration.default(24 * 3_600_000).describe('upload sessions idle this long are deleted with their data'),
        purgeInterval: duration.default(3_600_000).describe('how often to look for stale uploads'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type HavenConfig = z.output<typeof configSchema>;

/** Leaf keys as dotted paths, for env var and flag names. */
export const configKeys = [
  'listen',
  'dataDir',
  'externalUrl',
  'trustProxy',
  'adminPassword',
  'log.level',
  'log.file',
  'registry.automaticMount',
  'auth.tokenTtl',
  'auth.sessionIdle',
  'audit.retentionDays',
  'uploads.purgeAge',
  'uploads.purgeInterval',
] as const;
