import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { freePort } from './ports.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { connectRedis, type RedisConnection } from '../../src/platform/redis/client.js';

/**
 * A throwaway Debian `redis-server` for tests: on a free loopback port (redis refuses port 0),
 * nothing persisted (`--save '' --appendonly no`), its files in a temp dir. `stop()` and
 * `start()` again on the same port let a test take Redis away from a running Haven and give it
 * back. Tests call `requireTool(t, 'redis-server')` first, so a missing binary fails in CI.
 */
export interface RedisBackend {
  /** redis://[:password@]127.0.0.1:PORT, or rediss:// with `tls` */
  url: string;
  /** With `tls`: the PEM file of the CA that signed the server's certificate (for NODE_EXTRA_CA_CERTS). */
  caFile: string;
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

/** A throwaway CA and a server certificate for 127.0.0.1 (openssl), in `dir`. */
function makeCertificates(dir: string): { ca: string; cert: string; key: string } {
  const f = (name: string) => join(dir, name);
  const ossl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  ossl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '2', '-subj', '/CN=haven-test-redis-ca');
  ossl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=127.0.0.1');
  writeFileSync(f('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  ossl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('server.crt'), '-days', '2', '-extfile', f('server.ext'));
  return { ca: f('ca.crt'), cert: f('server.crt'), key: f('server.key') };
}

export async function startRedis(opts: { password?: string; tls?: boolean } = {}): Promise<RedisBackend> {
  const dir = mkdtempSync(join(tmpdir(), 'haven-redis-'));
  const port = await freePort();
  const certs = opts.tls ? makeCertificates(dir) : null;
  let proc: ChildProcess | null = null;
  let out = '';

  async function start(): Promise<void> {
    if (proc) return;
    // With TLS the plain port is off (0) and the TLS one takes the port.
    const listen = certs
      ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', certs.cert, '--tls-key-file', certs.key, '--tls-ca-cert-file', certs.ca, '--tls-auth-clients', 'no']
      : ['--port', String(port)];
    const args = [...listen, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'];
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
    url: `${certs ? 'rediss' : 'redis'}://${auth}127.0.0.1:${port}`,
    caFile: certs?.ca ?? '',
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

/**
 * One Redis server and two clients on it, playing two Haven instances, for a test file's suite:
 * started before its first test, closed after its last. `ready` receives them.
 */
export function useTwoRedisClients(ready: (redis: RedisBackend, a: RedisConnection, b: RedisConnection) => void): void {
  let redis: RedisBackend | undefined;
  let a: RedisConnection | undefined;
  let b: RedisConnection | undefined;
  before(async () => {
    redis = await startRedis();
    a = await connectRedis(redis.url);
    b = await connectRedis(redis.url);
    ready(redis, a, b);
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await redis?.cleanup();
  });
}
