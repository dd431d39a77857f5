import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createS3Client, type S3Settings } from '../../src/storage/s3-client.js';

const run = promisify(execFile);
const recipe = join(import.meta.dirname, 's3-swift');

/**
 * A real S3 endpoint for one test file: OpenStack Swift with s3api (Debian's python3-swift), on
 * four free loopback ports, everything under a temp dir, stopped and removed by stop(). The
 * recipe is test/backends/s3-swift (start.sh, stop.sh and its README).
 */
export interface S3Backend {
  endpoint: string;
  region: string;
  accessKey: string;
  secretKey: string;
  /** Settings for a bucket of this backend (created by `bucket()`). */
  settings(bucket: string, extra?: Partial<S3Settings>): S3Settings;
  /** Creates a fresh bucket and returns its name. */
  bucket(prefix?: string): Promise<string>;
  /** HAVEN_* variables selecting the S3 driver on `bucket`. */
  env(bucket: string, extra?: Record<string, string>): Record<string, string>;
  /** The Swift servers' pids, as the recipe recorded them (the bench counts their CPU). */
  pids(): number[];
  /** Stops the servers and keeps the data (for outage tests); start() brings them back. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
}

/** Whether Swift can run here; in CI its absence is a failure, never a skip. */
export function swiftAvailable(): boolean {
  const found = existsSync('/usr/lib/python3/dist-packages/swift');
  if (!found && process.env.CI) throw new Error('python3-swift is required in CI but is not installed');
  return found;
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A base port with it and the next three free (proxy, account, container, object servers). */
async function freePortRun(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const base = 20_000 + Math.floor(Math.random() * 40_000);
    let ok = true;
    for (let p = base; p < base + 4 && ok; p++) ok = await portFree(p);
    if (ok) return base;
  }
  throw new Error('no four consecutive free ports for Swift');
}

export async function startS3(): Promise<S3Backend> {
  const dir = mkdtempSync(join(tmpdir(), 'haven-s3-'));
  const port = await freePortRun();
  const start = async () => {
    const { stdout } = await run('bash', [join(recipe, 'start.sh'), dir, String(port)], { maxBuffer: 1 << 20 });
    return Object.fromEntries([...stdout.matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1]!, m[2]!]));
  };
  const stopServers = () => run('bash', [join(recipe, 'stop.sh'), dir]).then(() => undefined);
  let vars: Record<string, string>;
  try {
    vars = await start();
  } catch (err) {
    await stopServers().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const endpoint = vars.S3_ENDPOINT ?? `http://127.0.0.1:${port}`;
  const region = vars.S3_REGION ?? 'us-east-1';
  const accessKey = vars.S3_ACCESS_KEY ?? 'test:tester';
  const secretKey = vars.S3_SECRET_KEY ?? 'testing';
  let n = 0;
  const backend: S3Backend = {
    endpoint,
    region,
    accessKey,
    secretKey,
    settings: (bucket, extra = {}) => ({ endpoint, region, bucket, accessKey, secretKey, pathStyle: true, partSize: 5 * 1024 ** 2, redirect: false, ...extra }),
    async bucket(prefix = 'haven') {
      const name = `${prefix}-${process.pid}-${++n}-${Date.now().toString(36)}`;
      const client = createS3Client(backend.settings(name));
      await client.send(new CreateBucketCommand({ Bucket: name }));
      client.destroy();
      return name;
    },
    env: (bucket, extra = {}) => ({
      HAVEN_STORAGE_DRIVER: 's3',
      HAVEN_STORAGE_S3_ENDPOINT: endpoint,
      HAVEN_STORAGE_S3_REGION: region,
      HAVEN_STORAGE_S3_BUCKET: bucket,
      HAVEN_STORAGE_S3_ACCESS_KEY: accessKey,
      HAVEN_STORAGE_S3_SECRET_KEY: secretKey,
      HAVEN_STORAGE_S3_PART_SIZE: '5MiB',
      ...extra,
    }),
    pids: () =>
      readFileSync(join(dir, 'pids'), 'utf8')
        .split('\n')
        .map((line) => Number(line.split(' ')[0]))
        .filter((pid) => Number.isInteger(pid) && pid > 0),
    pause: stopServers,
    async resume() {
      await start();
    },
    async stop() {
      await stopServers();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return backend;
}
