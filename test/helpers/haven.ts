import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before } from 'node:test';

const root = resolve(import.meta.dirname, '../..');
/** The compiled server: `npm test` builds it first, so tests exercise what users run. */
export const havenBin = join(root, 'dist/cli/main.js');

/** The admin password every test Haven starts with, unless a test sets HAVEN_ADMIN_PASSWORD itself. */
export const testAdminPassword = 'Haven12345';

interface HavenOrigin {
  /** The admin's Basic credentials. */
  auth: string;
  /** Create the project of a /v2 path on first use (registry-centric tests). */
  autoProjects: boolean;
  projects: Map<string, Promise<void>>;
}

/** Every running test Haven, by origin. */
const havenOrigins = new Map<string, HavenOrigin>();
let fetchWrapped = false;
let originalFetch: typeof fetch = globalThis.fetch;

/**
 * What a request to a test Haven needs: the admin's credentials, and (for servers started with
 * `autoProjects`) the project of a /v2 path, created on first use. Undefined for other URLs.
 */
export async function prepareHavenRequest(url: URL): Promise<string | undefined> {
  const h = havenOrigins.get(url.origin);
  if (!h) return undefined;
  const m = /^\/v2\/([a-z0-9]+(?:[._-][a-z0-9]+)*)\/./.exec(url.pathname);
  if (h.autoProjects && m) {
    let created = h.projects.get(m[1]!);
    if (!created) {
      // Concurrent first uses of a project wait for the same creation. A name the API refuses
      // (too long, say) is left to the registry request to refuse in its own words.
      created = originalFetch(`${url.origin}/api/v2.0/projects`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: h.auth },
        body: JSON.stringify({ project_name: m[1] }),
      }).then(async (r) => {
        if (r.status >= 500) throw new Error(`auto-creating project ${m[1]}: ${r.status} ${await r.text()}`);
      });
      h.projects.set(m[1]!, created);
    }
    await created;
  }
  return h.auth;
}

/**
 * Test convenience, in one place: requests to a running test Haven carry admin Basic credentials
 * unless they set an Authorization header themselves (an empty one means "anonymous").
 */
function wrapFetch(): void {
  if (fetchWrapped) return;
  fetchWrapped = true;
  const original = (originalFetch = globalThis.fetch);
  globalThis.fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const adminAuth = await prepareHavenRequest(url);
    if (adminAuth === undefined) return original(input, init);
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    if (!headers.has('authorization')) headers.set('authorization', adminAuth);
    else if (headers.get('authorization') === '') headers.delete('authorization');
    return original(input, { ...init, headers });
  };
}

export interface RunningHaven {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  /** host:port, as registry clients want it */
  host: string;
  dataDir: string;
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
}

export interface StartOptions {
  /**
   * Registry-centric tests: create the project (first path segment) of every /v2 request made
   * through fetch or rawRequest on first use, as an admin would before pushing.
   */
  autoProjects?: boolean;
  /** Reuse a data directory (e.g. restart after a crash). Default: a fresh temp dir. */
  dataDir?: string;
  env?: Record<string, string>;
  args?: string[];
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

/** Starts `haven serve` on a free loopback port and resolves when it is listening. */
export async function startHaven(opts: StartOptions = {}): Promise<RunningHaven> {
  const ownDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'haven-test-'));
  const proc = spawn(
    process.execPath,
    [havenBin, 'serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--log-file', join(dataDir, 'haven.log'), ...(opts.args ?? [])],
    { env: { ...process.env, HAVEN_CONFIG: '/dev/null', HAVEN_ADMIN_PASSWORD: testAdminPassword, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));

  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`haven did not start in 20s:\n${out}`)), 20_000);
    const onData = () => {
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]!);
      }
    };
    proc.stdout!.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`haven exited with ${code} before listening:\n${out}`));
    });
  });

  const adminPassword = opts.env?.HAVEN_ADMIN_PASSWORD ?? testAdminPassword;
  wrapFetch();
  havenOrigins.set(new URL(url).origin, {
    auth: `Basic ${Buffer.from(`admin:${adminPassword}`).toString('base64')}`,
    autoProjects: opts.autoProjects ?? false,
    projects: new Map([['library', Promise.resolve()]]),
  });
  const halt = async (signal: NodeJS.Signals) => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    await exited;
  };
  return {
    url,
    host: url.replace(/^http:\/\//, ''),
    dataDir,
    proc,
    output: () => out,
    admin: { username: 'admin', password: adminPassword },
    async createProject(name: string, isPublic = false) {
      const r = await fetch(`${url}/api/v2.0/projects`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Authorization: `Basic ${Buffer.from(`admin:${adminPassword}`).toString('base64')}`,
        },
        body: JSON.stringify({ project_name: name, metadata: { public: String(isPublic) } }),
      });
      if (r.status !== 201 && r.status !== 409) throw new Error(`creating project ${name}: ${r.status} ${await r.text()}`);
    },
    stop: () => halt('SIGTERM'),
    kill: () => halt('SIGKILL'),
    async cleanup() {
      await halt('SIGTERM');
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
