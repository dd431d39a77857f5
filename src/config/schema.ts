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
        automaticMount: z
          .union([z.boolean(), z.enum(['true', 'false'])])
          .transform((v) => v === true || v === 'true')
          .default(true),
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
  'storage.reserve',
] as const;
