/**
 * Starting the two registries under test, each on 127.0.0.1 with a fresh temp data dir, and
 * making sure both (and their dirs) are gone when the bench ends, however it ends.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { noAuth, type AdminCredentials, type RegistryAuth } from './auth.js';
import { processCpuSeconds } from './cpu.js';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { freePort } from '../test/backends/ports.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TargetKind } from './config.js';

export interface RunningServer {
  kind: TargetKind;
  /** Human name with version. */
  label: string;
  url: string;
  pid: number;
  dataDir: string;
  logFile: string;
  /** What this server writes per request, for the report. */
  logging: string;
  /** Admin credentials the server was started with (Haven), if any. */
  admin: AdminCredentials | null;
  /** How the bench authenticates (set once the server is up; see auth.ts). */
  auth: RegistryAuth;
  /** CPU seconds (user + system) the server process has used so far. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** Everything to undo at exit: processes to kill and directories to remove. */
export class Cleanup {
  private readonly procs = new Set<ChildProcess>();
  private readonly dirs = new Set<string>();
  keepDirs = false;

  process(p: ChildProcess): void {
    this.procs.add(p);
    p.once('exit', () => this.procs.delete(p));
  }

  dir(d: string): void {
    this.dirs.add(d);
  }

  /** Work for the end (stopping a backend with its own CLI); awaited by run(), started by runSync(). */
  private readonly finals: Array<() => unknown> = [];
  atEnd(fn: () => unknown): void {
    this.finals.push(fn);
  }

  /** Graceful: SIGTERM, then SIGKILL after a grace period; then remove dirs. */
  async run(): Promise<void> {
    await Promise.all([...this.procs].map((p) => stopProcess(p)));
    await Promise.all(this.runFinals());
    this.removeDirs();
  }

  private runFinals(): Promise<unknown>[] {
    return this.finals.splice(0).map((fn) => Promise.resolve().then(fn).catch((err: Error) => process.stderr.write(`bench: cleanup: ${err.message}\n`)));
  }

  /** For process 'exit': only synchronous work is possible. */
  runSync(): void {
    for (const p of this.procs) {
      try {
        p.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
    void this.runFinals();
    this.removeDirs();
  }

  private removeDirs(): void {
    for (const d of this.dirs) {
      if (this.keepDirs) {
        process.stderr.write(`bench: keeping ${d}\n`);
        continue;
      }
      rmSync(d, { recursive: true, force: true });
    }
    this.dirs.clear();
  }
}

export async function stopProcess(p: ChildProcess, graceMs = 10_000): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((r) => p.once('exit', () => r()));
  p.kill('SIGTERM');
  const timer = setTimeout(() => p.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}


function tail(file: string, chars = 2000): string {
  try {
    const t = readFileSync(file, 'utf8');
    return t.slice(-chars);
  } catch {
    return '';
  }
}

export interface HavenOptions {
  repoRoot: string;
  nodeArgs: string[];
  cleanup: Cleanup;
  /** Extra `haven serve` flags (the audit workload starts one with --audit-pulls false). */
  args?: string[];
  /** Extra environment, e.g. HAVEN_DATABASE_URL. */
  env?: Record<string, string>;
}

export async function startHaven(opts: HavenOptions): Promise<RunningServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'haven-bench-'));
  opts.cleanup.dir(dataDir);
  const logFile = join(dataDir, 'haven.log');
  const bin = join(opts.repoRoot, 'bin/haven.cjs');
  // Meets Harbor's password rule (upper, lower, digit); ignored by a Haven without identity.
  const admin = { username: 'admin', password: `Bench${randomBytes(12).toString('hex')}7` };
  const proc = spawn(
    process.execPath,
    [...opts.nodeArgs, bin, 'serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--log-file', logFile, ...(opts.args ?? [])],
    // HAVEN_CONFIG=/dev/null: no haven.yml from the working directory changes the setup.
    { env: { ...process.env, HAVEN_CONFIG: '/dev/null', HAVEN_ADMIN_PASSWORD: admin.password, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  opts.cleanup.process(proc);
  let out = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d.slice(0, 10_000)));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d.slice(0, 10_000)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`haven did not start within 30s:\n${out}`)), 30_000);
    const check = () => {
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        proc.stdout!.off('data', check);
        resolve(m[1]!.replace(/\/$/, ''));
      }
    };
    proc.stdout!.on('data', check);
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`haven exited (${code ?? signal}) before listening:\n${out}`));
    });
  });
  const version = (JSON.parse(readFileSync(join(opts.repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
  return {
    kind: 'haven',
    label: `Haven ${version} (node ${process.version})`,
    url,
    pid: proc.pid!,
    dataDir,
    logFile,
    logging: 'one JSON line per request (pino, level info, async writes) to haven.log in its data dir',
    admin,
    auth: noAuth,
    cpuSeconds: () => processCpuSeconds(proc.pid!),
    stop: () => stopProcess(proc),
  };
}

export interface DistributionOptions {
  bin: string;
  cleanup: Cleanup;
  /** distribution's s3 driver on this bucket instead of its filesystem driver. */
  s3?: { endpoint: string; region: string; bucket: string; accessKey: string; secretKey: string };
}

export function distributionVersion(bin: string): string {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  return (r.stdout ?? '').trim().split(/\s+/).pop() ?? 'unknown';
}

export async function startDistribution(opts: DistributionOptions): Promise<RunningServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'distribution-bench-'));
  opts.cleanup.dir(dataDir);
  const port = await freePort();
  const configFile = join(dataDir, 'config.yml');
  const logFile = join(dataDir, 'registry.log');
  writeFileSync(
    configFile,
    [
      'version: 0.1',
      'log: {level: warn}',
      'storage:',
      opts.s3
        ? // regionendpoint makes distribution's s3 driver use path-style requests, as Swift needs.
          `  s3: {accesskey: "${opts.s3.accessKey}", secretkey: "${opts.s3.secretKey}", region: ${opts.s3.region}, regionendpoint: "${opts.s3.endpoint}", bucket: ${opts.s3.bucket}, secure: false, v4auth: true, chunksize: 16777216}`
        : `  filesystem: {rootdirectory: ${join(dataDir, 'storage')}}`,
      '  delete: {enabled: true}',
      // Haven streams S3 blobs unless storage.s3.redirect is on (it is off in the bench), so
      // distribution streams them too: both pulls then measure the registry, not Swift alone.
      ...(opts.s3 ? ['  redirect: {disable: true}'] : []),
      `http: {addr: 127.0.0.1:${port}}`,
      '',
    ].join('\n'),
  );
  // Its stdout/stderr (the access log and warnings) go straight to a file: no pipe through us.
  const fd = openSync(logFile, 'a');
  // AWS_CA_BUNDLE (set on some machines) makes distribution's old aws-sdk panic at start.
  const { AWS_CA_BUNDLE: _ca, ...env } = process.env;
  const proc = spawn(opts.bin, ['serve', configFile], { stdio: ['ignore', fd, fd], env });
  closeSync(fd);
  opts.cleanup.process(proc);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  let exited = false;
  proc.once('exit', () => (exited = true));
  for (;;) {
    if (exited) throw new Error(`docker-registry exited before listening:\n${tail(logFile)}`);
    try {
      const r = await fetch(`${url}/v2/`);
      await r.arrayBuffer();
      if (r.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`docker-registry did not start within 30s:\n${tail(logFile)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    kind: 'distribution',
    label: `distribution ${distributionVersion(opts.bin)} (${opts.bin})`,
    url,
    pid: proc.pid!,
    dataDir,
    logFile,
    logging:
      'one access-log line per request (Apache combined format, to stdout, which the bench sends to registry.log in its data dir); application log at level warn',
    admin: null,
    auth: noAuth,
    cpuSeconds: () => processCpuSeconds(proc.pid!),
    stop: () => stopProcess(proc),
  };
}
