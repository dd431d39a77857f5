import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { after, before } from 'node:test';
import { postgres } from '../backends/postgres.js';

const root = resolve(import.meta.dirname, '../..');
/** The compiled server: `npm test` builds it first, so tests exercise what users run. */
export const havenBin = join(root, 'bin/haven.cjs');

/** The admin password every test Haven starts with, unless a test sets HAVEN_ADMIN_PASSWORD itself. */
export const testAdminPassword = 'Haven12345';

export interface RunningHaven {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  /** host:port, as registry clients want it */
  host: string;
  dataDir: string;
  /** The PostgreSQL database it runs on (HAVEN_TEST_DATABASE=postgres, or given); '' for SQLite. */
  databaseUrl: string;
  proc: ChildProcess;
  /** Output so far (stdout + stderr), for diagnosing failures. */
  output(): string;
  /** Graceful stop (SIGTERM) and wait for exit. */
  stop(): Promise<void>;
  /** kill -9 and wait for exit: the crash tests' hammer. */
  kill(): Promise<void>;
  /** Stop and delete the data directory (unless it was given by the caller). */
  cleanup(): Promise<void>;
  /** The admin's credentials (HAVEN_ADMIN_PASSWORD of this server). */
  admin: { username: string; password: string };
  /** Creates a project (private unless `isPublic`) as admin; an existing one is fine. */
  createProject(name: string, isPublic?: boolean): Promise<void>;
  /** The admin's Authorization header, for the requests a test means to make as admin. */
  asAdmin: { Authorization: string };
  /** fetch as admin: adds the admin's Authorization header unless the request carries its own (an empty one: anonymous). */
  adminFetch: typeof fetch;
}

export interface StartOptions {
  /** Projects the admin creates (private) once the server listens, before any test runs. */
  projects?: string[];
  /** Reuse a data directory (e.g. restart after a crash). Default: a fresh temp dir. */
  dataDir?: string;
  env?: Record<string, string>;
  args?: string[];
  /** Output that means started, for a Haven that listens on nothing (--role worker); its url is ''. */
  ready?: RegExp;
}

/**
 * One Haven for a whole test file: started before the first test, cleaned up after the last.
 * `ready` receives it (files keep their own `haven`/`base` variables).
 */
export function useHaven(opts: StartOptions, ready: (h: RunningHaven) => void): void {
  let h: RunningHaven | undefined;
  before(async () => {
    h = await startHaven(opts);
    ready(h);
  });
  after(async () => {
    await h?.cleanup();
  });
}

/** Which metadata database the end-to-end tests run Haven on: sqlite (default) or postgres. */
export const testDatabase = process.env.HAVEN_TEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite';

/**
 * With HAVEN_TEST_DATABASE=postgres, each data dir gets its own database, named in the dir so a
 * restart on the same data dir finds the same database.
 */
async function testDatabaseUrl(dataDir: string): Promise<string> {
  if (testDatabase !== 'postgres') return '';
  const file = join(dataDir, '.test-database-url');
  if (existsSync(file)) return readFileSync(file, 'utf8');
  const url = await (await postgres()).createDatabase('e2e');
  writeFileSync(file, url);
  return url;
}

/** Starts `haven serve` on a free loopback port and resolves when it is listening. */
export async function startHaven(opts: StartOptions = {}): Promise<RunningHaven> {
  const ownDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'haven-test-'));
  const databaseUrl = opts.env?.HAVEN_DATABASE_URL ?? (await testDatabaseUrl(dataDir));
  const proc = spawn(
    process.execPath,
    [havenBin, 'serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--log-file', join(dataDir, 'haven.log'), ...(opts.args ?? [])],
    {
      env: { ...process.env, HAVEN_CONFIG: '/dev/null', HAVEN_ADMIN_PASSWORD: testAdminPassword, ...(databaseUrl ? { HAVEN_DATABASE_URL: databaseUrl } : {}), ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));

  const url = await new Promise<string>((resolveUrl, reject) => {
    // A server that does not come up is killed: its pipes would keep the test file alive until
    // the runner's 15-minute timeout (seen in CI on a loaded machine).
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`haven did not start in 45s:\n${out}`));
    }, 45_000);
    const onData = () => {
      const m = /listening on (https?:\/\/[\d.]+:\d+)/.exec(out);
      if (m || (opts.ready && opts.ready.test(out))) {
        clearTimeout(timer);
        resolveUrl(m?.[1] ?? '');
      }
    };
    proc.stdout!.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`haven exited with ${code} before listening:\n${out}`));
    });
  });

  const adminPassword = opts.env?.HAVEN_ADMIN_PASSWORD ?? testAdminPassword;
  const asAdmin = { Authorization: `Basic ${Buffer.from(`admin:${adminPassword}`).toString('base64')}` };
  const adminFetch: typeof fetch = (input, init) => {
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    if (!headers.has('authorization')) headers.set('authorization', asAdmin.Authorization);
    else if (headers.get('authorization') === '') headers.delete('authorization');
    return fetch(input, { ...init, headers });
  };
  async function createProject(name: string, isPublic = false): Promise<void> {
    const r = await adminFetch(`${url}/api/v2.0/projects`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ project_name: name, metadata: { public: String(isPublic) } }),
    });
    if (r.status !== 201 && r.status !== 409) throw new Error(`creating project ${name}: ${r.status} ${await r.text()}`);
  }
  const halt = async (signal: NodeJS.Signals) => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    await exited;
  };
  try {
    for (const name of opts.projects ?? []) await createProject(name);
  } catch (e) {
    await halt('SIGTERM');
    throw e;
  }
  return {
    url,
    host: url.replace(/^https?:\/\//, ''),
    dataDir,
    databaseUrl,
    proc,
    output: () => out,
    admin: { username: 'admin', password: adminPassword },
    asAdmin,
    adminFetch,
    createProject,
    stop: () => halt('SIGTERM'),
    kill: () => halt('SIGKILL'),
    async cleanup() {
      await halt('SIGTERM');
      // For diagnosing a failure that only CI or a loop meets: keep each server's log.
      if (process.env.HAVEN_TEST_KEEP_LOGS) {
        mkdirSync(process.env.HAVEN_TEST_KEEP_LOGS, { recursive: true });
        const log = join(dataDir, 'haven.log');
        if (existsSync(log)) copyFileSync(log, join(process.env.HAVEN_TEST_KEEP_LOGS, `${basename(dataDir)}.log`));
      }
      if (ownDir) {
        if (databaseUrl && opts.env?.HAVEN_DATABASE_URL === undefined) await (await postgres()).dropDatabase(databaseUrl);
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}
