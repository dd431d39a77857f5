import { z } from 'zod';
import { parseDuration } from '../platform/duration.js';
import { parseSize } from '../platform/size.js';
import { passwordProblem } from '../domain/identity/password-policy.js';

const duration = z
  .union([z.string(), z.number()])
  .transform((v, ctx) => {
    try {
      return parseDuration(v);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });

const size = z
  .union([z.string(), z.number()])
  .transform((v, ctx) => {
    try {
      return parseSize(v);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });

const listen = z.string().regex(/^(\[[0-9a-fA-F:.]+\]|[^:\s]+):\d{1,5}$/, 'must be host:port, e.g. 0.0.0.0:5000');

const positiveDuration = duration.refine((v) => v > 0, 'must be more than 0');

const boolean = z.union([z.boolean(), z.enum(['true', 'false'])]).transform((v) => v === true || v === 'true');

/** Every key has a default; haven.yml, HAVEN_* variables and flags override in that order. */
export const configSchema = z
  .object({
    listen: listen.default('0.0.0.0:5000'),
    dataDir: z.string().min(1).default('./data'),
    externalUrl: z
      .string()
      .regex(/^(https?:\/\/[^/\s]+\/?)?$/, 'must be empty or an http(s) URL with no path')
      .default(''),
    /**
     * Behind a reverse proxy: "true" trusts X-Forwarded-For/-Proto/-Host from any hop, or a
     * comma-separated list of proxy addresses/CIDRs trusts only those. Client IPs (throttling,
     * audit) and the token realm come from these headers only when trusted.
     */
    trustProxy: z
      .union([z.boolean(), z.string()])
      .transform((v): boolean | string[] => {
        if (typeof v === 'boolean') return v;
        if (v === '' || v === 'false') return false;
        if (v === 'true') return true;
        return v.split(',').map((x) => x.trim()).filter((x) => x !== '');
      })
      .default(false),
    /** Initial password of `admin`, used only when the user is first created. Empty: generate one. */
    adminPassword: z
      .string()
      .default('')
      .superRefine((v, ctx) => {
        const problem = v === '' ? null : passwordProblem(v);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    log: z
      .object({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
        file: z.string().default(''),
      })
      .strict()
      .prefault({}),
    registry: z
      .object({
        /** A mount without `from` finds the blob in any repository the caller can read. */
        automaticMount: boolean.default(true),
      })
      .strict()
      .prefault({}),
    auth: z
      .object({
        /** Lifetime of registry bearer tokens. */
        tokenTtl: duration.default(30 * 60_000),
        /** Portal sessions end after this long without a request. */
        sessionIdle: duration.default(60 * 60_000),
      })
      .strict()
      .prefault({}),
    audit: z
      .object({
        /** Audit records older than this many days are deleted. */
        retentionDays: z.coerce.number().int().min(1).max(36500).default(180),
        /**
         * Hidden: record every pull (Harbor does). Off only to measure what pull auditing costs
         * (bench workload `audit`); pushes, deletes and logins are recorded either way.
         */
        pulls: boolean.default(true),
      })
      .strict()
      .prefault({}),
    uploads: z
      .object({
        purgeAge: duration.default(24 * 3_600_000),
        purgeInterval: duration.default(3_600_000),
      })
      .strict()
      .prefault({}),
    storage: z
      .object({
        /**
         * Free space kept for metadata commits, deletes and purges: below it new upload bytes are
         * refused (507) and /health reports storage unhealthy. 0 turns the reserve off.
         */
        reserve: size.default(1024 ** 3),
      })
      .strict()
      .prefault({}),
    /** Connection limits: no client may hold a connection (a file descriptor) without progress. */
    http: z
      .object({
        /** The request line and headers must arrive within this. */
        headersTimeout: positiveDuration.default(30_000),
        /**
         * A connection with no byte in either direction for this long is closed: a stalled upload
         * or download is cut, a slow one that keeps moving is not (the timer restarts per chunk).
         */
        bodyIdleTimeout: positiveDuration.default(60_000),
        /** An idle keep-alive connection between requests is closed after this. */
        keepAliveTimeout: positiveDuration.default(75_000),
        /** Open connections per client address; further ones are closed at once. 0: no limit. */
        maxConnectionsPerIp: z.coerce.number().int().min(0).default(256),
      })
      .strict()
      .prefault({}),
    /** Prometheus metrics (GET /metrics). */
    metrics: z
      .object({
        /** A separate host:port for /metrics only; empty: served on the main listener. */
        listen: z.union([z.literal(''), listen]).default(''),
        /** When set (both), /metrics wants these Basic credentials. */
        username: z.string().default(''),
        password: z.string().default(''),
      })
      .strict()
      .prefault({})
      .superRefine((m, ctx) => {
        if ((m.username === '') !== (m.password === '')) {
          ctx.addIssue({ code: 'custom', path: [m.username === '' ? 'username' : 'password'], message: 'metrics.username and metrics.password are set together or not at all' });
        }
      }),
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
  'audit.pulls',
  'uploads.purgeAge',
  'uploads.purgeInterval',
  'storage.reserve',
  'http.headersTimeout',
  'http.bodyIdleTimeout',
  'http.keepAliveTimeout',
  'http.maxConnectionsPerIp',
  'metrics.listen',
  'metrics.username',
  'metrics.password',
] as const;
