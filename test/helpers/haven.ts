import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
/** The compiled server: `npm test` builds it first, so tests exercise what users run. */
export const havenBin = join(root, 'dist/cli/main.js');

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
}

export interface StartOptions {
  /** Reuse a data directory (e.g. restart after a crash). Default: a fresh temp dir. */
  dataDir?: string;
  env?: Record<string, string>;
  args?: string[];
}

/** Starts `haven serve` on a free loopback port and resolves when it is listening. */
export async function startHaven(opts: StartOptions = {}): Promise<RunningHaven> {
  const ownDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'haven-test-'));
  const proc = spawn(
    process.execPath,
    [havenBin, 'serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--log-file', join(dataDir, 'haven.log'), ...(opts.args ?? [])],
    { env: { ...process.env, HAVEN_CONFIG: '/dev/null', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] },
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
    stop: () => halt('SIGTERM'),
    kill: () => halt('SIGKILL'),
    async cleanup() {
      await halt('SIGTERM');
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
