import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throwaway Debian `redis-server` for tests: on a free loopback port (redis refuses port 0),
 * nothing persisted (`--save '' --appendonly no`), its files in a temp dir. `stop()` and
 * `start()` again on the same port let a test take Redis away from a running Haven and give it
 * back. Tests call `requireTool(t, 'redis-server')` first, so a missing binary fails in CI.
 */
export interface RedisBackend {
  /** redis://[:password@]127.0.0.1:PORT */
  url: string;
  port: number;
  /** (Re)starts the server on the same port; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops the server (SIGKILL: a crash, not a shutdown) and waits for it to exit. */
  stop(): Promise<void>;
  /** SIGSTOP / SIGCONT: a server that hangs with its connections open (no answer, no error). */
  pause(): void;
  resume(): void;
  /** Stops it and deletes its directory. */
  cleanup(): Promise<void>;
}

export const redisBinary = 'redis-server';

export function redisInstalled(): boolean {
  return spawnSync('sh', ['-c', `command -v ${redisBinary}`]).status === 0;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

export async function startRedis(opts: { password?: string } = {}): Promise<RedisBackend> {
  const dir = mkdtempSync(join(tmpdir(), 'haven-redis-'));
  const port = await freePort();
  let proc: ChildProcess | null = null;
  let out = '';

  async function start(): Promise<void> {
    if (proc) return;
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'];
    if (opts.password) args.push('--requirepass', opts.password);
    const p = spawn(redisBinary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    proc = p;
    p.stdout!.on('data', (d) => (out += d));
    p.stderr!.on('data', (d) => (out += d));
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    const deadline = Date.now() + 10_000;
    while (!(await accepts(port))) {
      if (p.exitCode !== null || Date.now() > deadline) {
        p.kill('SIGKILL');
        await exited;
        proc = null;
        throw new Error(`redis-server did not start on port ${port}:\n${out}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async function stop(): Promise<void> {
    const p = proc;
    if (!p) return;
    proc = null;
    if (p.exitCode === null && p.signalCode === null) {
      const exited = new Promise<void>((r) => p.once('exit', () => r()));
      p.kill('SIGKILL');
      await exited;
    }
  }

  await start();
  const auth = opts.password ? `:${encodeURIComponent(opts.password)}@` : '';
  return {
    url: `redis://${auth}127.0.0.1:${port}`,
    port,
    start,
    stop,
    pause: () => void proc?.kill('SIGSTOP'),
    resume: () => void proc?.kill('SIGCONT'),
    async cleanup() {
      proc?.kill('SIGCONT');
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * For `describe(..., { skip: redisSkip })`: false when redis-server is here, else the reason to
 * skip; in CI a missing redis-server throws instead (the file fails, it never skips).
 */
export const redisSkip: false | string = (() => {
  if (redisInstalled()) return false;
  if (process.env.CI) throw new Error(`${redisBinary} is required in CI but is not installed`);
  return `${redisBinary} is not installed`;
})();
