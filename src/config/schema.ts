import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { z } from 'zod';
import { parseDuration } from '../platform/duration.js';
import { parseSize } from '../platform/size.js';
import { passwordProblem } from '../domain/identity/password-policy.js';
import { checkTlsFiles } from './tls-files.js';
import { secretKeyText } from '../platform/secret-box.js';

/** A string or number turned into a value by `parse`, whose error message becomes the key's. */
const parsedBy = (parse: (v: string | number) => number) =>
  z.union([z.string(), z.number()]).transform((v, ctx) => {
    try {
      return parse(v);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });

/** A duration: "90s", "30m", "24h", "7d" or milliseconds. Exported so help can show its defaults so. */
export const duration = parsedBy(parseDuration);

/** A size: "512MiB", "1GiB", "10GB" or bytes. */
const size = parsedBy(parseSize);

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


/** Why PEM text is not an EC P-256 private key (ES256, what the token service signs with), or null. */
export function signingKeyProblem(pem: string | Buffer): string | null {
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return null;
  } catch {
    // Reported below: what was given matters less than what is wanted.
  }
  return 'must be an EC P-256 private key in PEM (openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256)';
}

/** Key material for HMACs: at least 32 bytes. */
export function secretKeyProblem(bytes: Buffer): string | null {
  return bytes.length >= 32 ? null : `must be at least 32 bytes (it is ${bytes.length}); e.g. openssl rand -hex 32`;
}

/**
 * A key given inline or by file, validated here so bad key material stops start-up with one line
 * naming the key (and before anything is written). The file is read again when the app starts.
 */
function keyPair(inline: string, file: string, problem: (bytes: Buffer) => string | null, section = 'auth') {
  return (auth: Record<string, unknown>, ctx: z.RefinementCtx) => {
    const value = auth[inline] as string;
    const path = auth[file] as string;
    if (value !== '' && path !== '') {
      ctx.addIssue({ code: 'custom', path: [inline], message: `set ${section}.${inline} or ${section}.${file}, not both` });
      return;
    }
    if (value !== '') {
      const p = problem(Buffer.from(value));
      if (p) ctx.addIssue({ code: 'custom', path: [inline], message: p });
    } else if (path !== '') {
      let bytes: Buffer;
      try {
        bytes = readFileSync(path);
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: [file], message: `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
        return;
      }
      const p = problem(bytes);
      if (p) ctx.addIssue({ code: 'custom', path: [file], message: `${path} ${p}` });
    }
  };
}

/** Job type to a count: a mapping in haven.yml, `TYPE=n,TYPE=n` in a variable or flag. */
const concurrencyByType = z.preprocess(
  (v) => (typeof v === 'string' ? Object.fromEntries(v.split(',').filter((p) => p.trim() !== '').map((p) => p.split('=').map((x) => x.trim()))) : v),
  z.record(z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'a job type, e.g. RETENTION'), z.coerce.number({ error: 'a count of tasks, as in RETENTION=4' }).int().min(1).max(64)),
);

const positiveDuration = duration.refine((v) => v > 0, 'must be more than 0');

const boolean = z.union([z.boolean(), z.enum(['true', 'false'])]).transform((v) => v === true || v === 'true');

/**
 * Every key has a default; haven.yml, HAVEN_* variables and flags override in that order. Every
 * leaf has a .describe(): that text is its line in `haven serve --help`.
 */
export const configSchema = z
  .object({
    listen: listen.default('0.0.0.0:5000').describe('address and port to listen on (host:port; port 0 picks a free one)'),
    /**
     * Several instances split the work: `api` instances serve HTTP and run no background jobs,
     * `worker` instances run the background jobs and serve nothing, `all` does both.
     */
    role: z.enum(['all', 'api', 'worker']).default('all').describe('all (default), api (HTTP only) or worker (background jobs only)'),
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
        automaticMount: boolean.default(true).describe('true: a mount without from= finds the blob in any repository the caller can read'),
      })
      .strict()
      .prefault({}),
    auth: z
      .object({
        tokenTtl: duration.default(30 * 60_000).describe('lifetime of registry bearer tokens'),
        sessionIdle: duration.default(60 * 60_000).describe('portal sessions end after this long without a request'),
        /**
         * Instances that serve the same registry must share the signing key (a token from one is
         * honoured by all) and the CSRF key (a portal session works on any). Empty: a key made
         * once and kept in the database (encrypted under secrets.key when that is set).
         */
        signingKey: z.string().default('').describe('token signing key: EC P-256 private key, PEM (empty: kept in the database)'),
        signingKeyFile: z.string().default('').describe('file holding the token signing key (PEM), instead of auth.signingKey'),
        csrfKey: z.string().default('').describe('portal CSRF key, at least 32 bytes (empty: kept in the database)'),
        csrfKeyFile: z.string().default('').describe('file holding the portal CSRF key, instead of auth.csrfKey'),
      })
      .strict()
      .prefault({})
      .superRefine(keyPair('signingKey', 'signingKeyFile', signingKeyProblem))
      .superRefine(keyPair('csrfKey', 'csrfKeyFile', secretKeyProblem)),
    /**
     * Harbor's secretkey: encrypts what Haven keeps secret in the database (the token signing
     * key, the CSRF key; later credentials it presents to others). Every instance on one
     * database needs the same one. Empty: those values are kept in plain text.
     */
    secrets: z
      .object({
        key: z.string().default('').describe('secret key (at least 32 bytes) encrypting the keys and credentials Haven keeps in the database; every instance on one database needs the same (empty: kept plain)'),
        keyFile: z.string().default('').describe('file holding the secret key (a final line break is ignored), instead of secrets.key'),
      })
      .strict()
      .prefault({})
      .superRefine(keyPair('key', 'keyFile', (bytes) => secretKeyProblem(secretKeyText(bytes)), 'secrets')),
    audit: z
      .object({
        retentionDays: z.coerce.number().int().min(1).max(36500).default(180).describe('audit records older than this many days are deleted'),
        /**
         * Hidden: record every pull (Harbor does). Off only to measure what pull auditing costs
         * (bench workload `audit`); pushes, deletes and logins are recorded either way.
         */
        pulls: boolean.default(true).describe('record every pull in the audit log (off only to measure its cost)'),
      })
      .strict()
      .prefault({}),
    jobs: z
      .object({
        pollInterval: duration.default(1000).describe('how often a worker looks for queued jobs (a job queued on the same instance starts at once)'),
        leaseTime: duration.default(30_000).describe('a running job unrenewed this long (its process died) is run again or failed by another worker'),
        retryDelay: duration.default(10_000).describe('the wait before a failed job is retried; doubled after each further failure'),
        concurrency: concurrencyByType
          .default({})
          .describe('tasks of a job type one instance runs at once, e.g. RETENTION=4,WEBHOOK=8 (a mapping in haven.yml); defaults: RETENTION 2, WEBHOOK 4, the rest 1'),
      })
      .strict()
      .prefault({}),
    webhook: z
      .object({
        allowPrivateTargets: boolean
          .default(false)
          .describe('let webhooks call loopback, private and link-local addresses (refused by default: an SSRF guard)'),
        timeout: duration.default(3000).describe('how long one webhook delivery attempt may take (Harbor: 3 s)'),
        maxAttempts: z.coerce.number().int().min(1).max(10).default(3).describe('delivery attempts per event and target, the first included (Harbor: 3)'),
      })
      .strict()
      .prefault({}),
    /** The domain event outbox (webhooks consume it; replication and scanning later). */
    events: z
      .object({
        outboxRetention: duration.default(7 * 86_400_000).describe('events every consumer has read are deleted from the outbox once older than this (unread ones are kept)'),
        outboxPurgeInterval: positiveDuration.default(3_600_000).describe('how often read events older than events.outboxRetention are deleted'),
      })
      .strict()
      .prefault({}),
    gc: z
      .object({
        minAge: duration.default(2 * 3_600_000).describe('garbage collection never deletes blobs or artifacts stored, linked or pushed more recently than this (Harbor\'s time window); keep it longer than the slowest push'),
        markTimeout: duration.default(600_000).describe('a blob a garbage collection marked this long ago and never finished (its process died) is given back to a push that needs it'),
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
    database: z
      .object({
        /**
         * Empty: the embedded SQLite file in the data dir. A postgres:// URL: PostgreSQL, which
         * several instances can share (the password may be in the URL, or in PGPASSWORD).
         */
        url: z
          .string()
          .regex(/^(postgres(ql)?:\/\/\S+)?$/, 'must be empty (embedded SQLite) or a postgres:// URL, e.g. postgres://haven:secret@db:5432/haven')
          .default('')
          .describe('metadata database: empty for SQLite in the data dir, or postgres://user:password@host:5432/db'),
        poolSize: z.coerce.number().int().min(1).max(1000).default(20).describe('PostgreSQL connections per instance'),
      })
      .strict()
      .prefault({}),
    storage: z
      .object({
        /**
         * Free space kept for metadata commits, deletes and purges: below it new upload bytes are
         * refused (507) and /health reports storage unhealthy. 0 turns the reserve off.
         */
        reserve: size.default(1024 ** 3).describe('free space kept for metadata and deletes; below it uploads get 507 (0: off)'),
        filesystem: z
          .object({
            /**
             * Behind nginx: an authorized blob GET answers with X-Accel-Redirect: <prefix><blob
             * path> and no body, and nginx sends the file from an `internal` location (sendfile).
             */
            accelRedirect: z
              .string()
              .regex(/^(\/([A-Za-z0-9._~-]+\/)+)?$/, 'must be empty or an nginx location prefix such as /_haven_blobs/')
              .default('')
              .describe('nginx internal location prefix for blob GETs (X-Accel-Redirect) from a trusted proxy (trustProxy), e.g. /_haven_blobs/ (empty: off)'),
            /**
             * Upload bytes go to disk with O_DIRECT (storage/direct-writer.ts), past the page
             * cache: a push costs less CPU and leaves the cache to what pulls read. Where the
             * filesystem refuses O_DIRECT, Haven writes through the cache as with false.
             */
            directWrites: boolean.default(true).describe('write upload bytes with O_DIRECT, past the page cache (false: through it)'),
          })
          .strict()
          .prefault({}),
        /** Where blobs live: files under dataDir/storage, or an S3 bucket (storage.s3.*). */
        driver: z.enum(['filesystem', 's3']).default('filesystem').describe('blob storage: filesystem (dataDir/storage) or s3 (storage.s3.*)'),
        s3: z
          .object({
            endpoint: z.union([z.literal(''), z.url({ protocol: /^https?$/ })]).default('').describe('S3 endpoint URL, e.g. http://127.0.0.1:8089 (empty: AWS for the region)'),
            region: z.string().min(1).default('us-east-1').describe('S3 region the requests are signed for'),
            bucket: z.string().default('').describe('S3 bucket holding the blobs (must exist)'),
            accessKey: z.string().default('').describe('S3 access key id'),
            secretKey: z.string().default('').describe('S3 secret access key'),
            pathStyle: boolean.default(true).describe('path-style URLs (endpoint/bucket/key) instead of bucket.endpoint'),
            /** Parts of a multipart upload; each part is buffered once in memory while it is sent. */
            partSize: size
              .refine((v) => v >= 5 * 1024 ** 2 && v <= 5 * 1024 ** 3, 'must be between 5MiB (S3\'s minimum part) and 5GiB')
              .default(16 * 1024 ** 2)
              .describe('multipart upload part size, 5MiB-5GiB; one part per upload stream is held in memory'),
            redirect: boolean.default(false).describe('true: blob GETs answer 307 to a presigned S3 URL instead of streaming'),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({})
      .superRefine((st, ctx) => {
        if (st.driver !== 's3') return;
        if (st.filesystem.accelRedirect !== '') {
          ctx.addIssue({ code: 'custom', path: ['filesystem', 'accelRedirect'], message: 'serves files of the filesystem driver; with storage.driver s3 use storage.s3.redirect' });
        }
        for (const k of ['bucket', 'accessKey', 'secretKey'] as const) {
          if (st.s3[k] === '') ctx.addIssue({ code: 'custom', path: ['s3', k], message: `is required with storage.driver s3` });
        }
      }),
    /** Connection limits: no client may hold a connection (a file descriptor) without progress. */
    http: z
      .object({
        /** The request line and headers must arrive within this. */
        headersTimeout: positiveDuration.default(30_000).describe('the request line and headers must arrive within this'),
        /**
         * A connection with no byte in either direction for this long is closed: a stalled upload
         * or download is cut, a slow one that keeps moving is not (the timer restarts per chunk).
         */
        bodyIdleTimeout: positiveDuration.default(60_000).describe('close a connection with no byte in either direction for this long'),
        /** An idle keep-alive connection between requests is closed after this. */
        keepAliveTimeout: positiveDuration.default(75_000).describe('close an idle keep-alive connection after this'),
        /** Open connections per client address; further ones are closed at once. 0: no limit. */
        maxConnectionsPerIp: z.coerce.number().int().min(0).default(256).describe('open connections per client address (0: no limit)'),
      })
      .strict()
      .prefault({}),
    /**
     * Shared state for several instances (login throttles, upload locks, leader leases, cache
     * invalidation). Empty: kept in this process, for a single instance.
     */
    redis: z
      .object({
        url: z
          .string()
          .regex(/^(rediss?:\/\/\S+)?$/, 'must be empty or a redis:// or rediss:// URL, e.g. redis://:password@redis.example.com:6379/0')
          .default('')
          .describe('Redis for state shared by several instances, redis://[:password@]host:port[/db] or rediss:// (empty: in-process)'),
      })
      .strict()
      .prefault({}),
    /** HTTPS on the main listener, and mutual TLS as /etc/docker/certs.d sets it up. */
    tls: z
      .object({
        cert: z.string().default('').describe('server certificate file (PEM, chain after it); with tls.key the listener speaks HTTPS'),
        key: z.string().default('').describe('private key file (PEM) of tls.cert'),
        clientCA: z.string().default('').describe('CA file (PEM) that signs client certificates (mutual TLS)'),
        /** require: no valid client certificate, no handshake; request: one is asked for, and checked when given. */
        clientAuth: z.enum(['none', 'request', 'require']).default('none').describe('client certificates: none, request (checked when given) or require'),
      })
      .strict()
      .prefault({})
      .superRefine(checkTlsFiles),
    /** Prometheus metrics (GET /metrics). */
    metrics: z
      .object({
        /** A separate host:port for /metrics only; empty: served on the main listener. */
        listen: z.union([z.literal(''), listen]).default('').describe('serve /metrics on this host:port only (empty: on the main listener)'),
        /** When set (both), /metrics wants these Basic credentials. */
        username: z.string().default('').describe('Basic auth user for /metrics (set with metrics.password)'),
        password: z.string().default('').describe('Basic auth password for /metrics (set with metrics.username)'),
        /** Harbor's exporter.cache_time: one collection of the database gauges serves scrapes this long. */
        cacheTime: duration.default(10_000).describe('how long one collection of the Harbor exporter gauges serves scrapes (storage total: 6x)'),
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

/** The parts of a zod 4 schema this file uses to find its keys. */
type SchemaNode = { _zod: { def: { type: string; innerType?: SchemaNode; in?: SchemaNode; shape?: Record<string, SchemaNode> } } };

/** The object inside a key's wrappers (defaults, prefaults, transforms), if it is one. */
function objectShape(node: SchemaNode): Record<string, SchemaNode> | undefined {
  for (let n: SchemaNode | undefined = node; n; n = n._zod.def.innerType ?? n._zod.def.in) {
    if (n._zod.def.type === 'object') return n._zod.def.shape;
  }
  return undefined;
}

function leafPaths(node: SchemaNode, prefix: string): string[] {
  const shape = objectShape(node);
  if (!shape) return [prefix];
  return Object.entries(shape).flatMap(([k, v]) => leafPaths(v, prefix ? `${prefix}.${k}` : k));
}

/** Leaf keys as dotted paths, in schema order: each gets an env variable and a flag. */
export const configKeys: readonly string[] = leafPaths(configSchema as unknown as SchemaNode, '');
