import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './ports.js';

/**
 * A throwaway PostgreSQL cluster from Debian's `postgresql` package: initdb into a temp dir, one
 * pg_ctl-started server on a free loopback port, trust authentication. initdb refuses root, so
 * as root the cluster belongs to the `postgres` user. Missing binaries fail in CI and raise a
 * clear error elsewhere: a test that needs PostgreSQL never silently skips.
 */
export interface PostgresServer {
  /** Superuser URL of the `postgres` database, e.g. postgres://postgres@127.0.0.1:5433/postgres */
  adminUrl: string;
  /** A fresh, empty database; its URL. */
  createDatabase(prefix?: string): Promise<string>;
  dropDatabase(url: string): Promise<void>;
  stop(): Promise<void>;
  /** The postmaster's pid, when this process started the cluster (the bench counts its CPU). */
  pids?(): number[];
  /** Outage drills (a cluster of one's own): stop the server keeping its data, start it again on the same port. */
  pause?(): void;
  resume?(): void;
}

const binDirs = ['/usr/lib/postgresql/17/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/15/bin'];

function pgBin(name: string): string {
  for (const d of binDirs) if (existsSync(join(d, name))) return join(d, name);
  throw new Error(`PostgreSQL's ${name} not found (apt-get install postgresql); looked in ${binDirs.join(', ')}`);
}


function asOwner(cmd: string, args: string[]): string[] {
  return process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--', cmd, ...args] : [cmd, ...args];
}

function run(cmd: string, args: string[]): void {
  const [c, ...a] = asOwner(cmd, args);
  const r = spawnSync(c!, a, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
}

export async function startPostgres(): Promise<PostgresServer> {
  const dir = mkdtempSync(join(tmpdir(), 'haven-pg-'));
  chmodSync(dir, 0o777);
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres:', dir]);
  const data = join(dir, 'data');
  const port = await freePort();
  run(pgBin('initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8', '--no-sync']);
  // fsync stays on: the crash tests rely on PostgreSQL's durability as they do on SQLite's.
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=64MB`;
  const start = () => run(pgBin('pg_ctl'), ['-D', data, '-l', join(dir, 'server.log'), '-o', opts, '-w', '-t', '60', 'start']);
  start();
  let running = true;
  const stop = () => {
    if (running) run(pgBin('pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
    running = false;
    rmSync(dir, { recursive: true, force: true });
  };
  return {
    ...clusterAt(`postgres://postgres@127.0.0.1:${port}/postgres`, stop),
    pids() {
      // postmaster.pid's first line; every backend process is its child.
      const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
      return Number.isInteger(pid) && pid > 0 ? [pid] : [];
    },
    pause() {
      run(pgBin('pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
      running = false;
    },
    resume() {
      start();
      running = true;
    },
  };
}

function clusterAt(adminUrl: string, stop: () => void): PostgresServer {
  let n = 0;
  const admin = async <T>(work: (c: pg.Client) => Promise<T>): Promise<T> => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    try {
      return await work(c);
    } finally {
      await c.end();
    }
  };
  const urlOf = (name: string) => Object.assign(new URL(adminUrl), { pathname: `/${name}` }).href;
  return {
    adminUrl,
    async createDatabase(prefix = 'haven') {
      const name = `${prefix}_${process.pid}_${++n}_${Math.random().toString(36).slice(2, 8)}`;
      await admin((c) => c.query(`create database "${name}"`));
      return urlOf(name);
    },
    async dropDatabase(url) {
      const name = new URL(url).pathname.slice(1);
      await admin((c) => c.query(`drop database if exists "${name}" with (force)`));
    },
    async stop() {
      stop();
    },
  };
}

/**
 * The cluster for this process: the one `scripts/run-tests.mjs` started for the whole run
 * (HAVEN_TEST_PG_URL), or one of its own, stopped when the process exits.
 */
let shared: Promise<PostgresServer> | undefined;
export function postgres(): Promise<PostgresServer> {
  shared ??= (async () => {
    const url = process.env.HAVEN_TEST_PG_URL;
    if (url) return clusterAt(url, () => {});
    const server = await startPostgres();
    // 'exit' handlers run synchronously; pg_ctl is run synchronously too.
    process.once('exit', () => void server.stop());
    return server;
  })();
  return shared;
}
