#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { createApp, version } from '../app.js';
import { keepFreedHeap } from '../platform/heap-trim.js';
import { metricsAddress } from '../http/server.js';
import type { BootstrapResult } from '../services/identity/bootstrap.js';
import { configOptionLines, optionLine } from '../config/help.js';
import { ConfigError, flagName, loadConfig } from '../config/load.js';
import { StorageStartError } from '../storage/storage-factory.js';
import { configKeys } from '../config/schema.js';
import { DataDirLockedError, lockDataDir } from '../platform/data-dir-lock.js';
import { StartupProblem } from '../platform/startup-problem.js';
import { createLogger, type Logger } from '../platform/logger.js';
import { userCommand } from './user-command.js';
import { backupCommand, restoreCommand } from './backup-command.js';
import { migrateCommand } from './migrate-command.js';

const usage = `Usage: haven <command> [options]

Commands:
  serve        run the registry, API, portal and background jobs in this process (haven serve --help)
  user         create a user or reset a password on the data directory (haven user --help)
  backup       write a consistent backup, also while serve runs (haven backup --help)
  restore      restore a backup into a new data directory (haven restore --help)
  migrate      move an embedded installation to PostgreSQL and/or S3 (haven migrate --help)

Options:
  --help, -h   show this help; haven <command> --help shows a command's options
  --version    print Haven's version
`;

const serveUsage = () => `Usage: haven serve [options]

Runs the OCI registry (/v2), the token service, the management API (/api/v2.0) and the background
jobs in this process. Every option is also a key of haven.yml and a HAVEN_* environment variable
(shown after each option); a flag wins over the variable, which wins over the file.

Options:
${optionLine('  --config <file>', 'configuration file', 'default ./haven.yml when present; env HAVEN_CONFIG')}
${optionLine('  --help, -h', 'show this help')}
${configOptionLines()}
`;

/** A refusal the user can act on: one line on stderr, no stack, exit 1. */
class StartError extends Error {}

async function serve(argv: string[]): Promise<void> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } };
  for (const k of configKeys) options[flagName(k)] = { type: 'string' };
  const { values } = parseArgs({ args: argv, options, strict: true });
  const { config: file, help, ...flags } = values as Record<string, string | undefined> & { help?: boolean };
  if (help) {
    process.stdout.write(serveUsage());
    return;
  }
  // Everything is validated before anything is written: a config error leaves no data dir behind.
  const config = loadConfig({ ...(file ? { file } : {}), flags });
  const lock = await lockDataDir(config.dataDir);
  const log = createLogger(config.log.level, config.log.file || undefined);
  keepFreedHeap();
  const app = await createApp(config, log);
  if (config.role === 'worker') {
    log.info({ role: config.role, dataDir: config.dataDir }, 'haven worker is running');
    process.stdout.write(`Haven worker running background jobs (role worker, data in ${config.dataDir}); it serves no HTTP\n`);
    onStopSignals(app, lock, log);
    return;
  }
  const i = config.listen.lastIndexOf(':');
  const host = config.listen.slice(0, i).replace(/^\[|\]$/g, '');
  const port = Number(config.listen.slice(i + 1));
  let address: string;
  try {
    address = await app.server.listen({ host, port });
  } catch (err) {
    await app.close();
    lock.release();
    throw new StartError(listenProblem(config.listen, port, err as NodeJS.ErrnoException));
  }
  log.info({ address, dataDir: config.dataDir }, 'haven is listening');
  const metrics = metricsAddress(app.server);
  // One write, so whoever waits for "listening on" also has the login and metrics lines.
  process.stdout.write(
    `Haven registry listening on ${address} (data in ${config.dataDir})\n` +
      loginBanner(config.externalUrl || address.replace('0.0.0.0', 'localhost'), app.bootstrap) +
      (metrics ? `Metrics at ${metrics}/metrics\n` : ''),
  );

  onStopSignals(app, lock, log);
}

function onStopSignals(app: { close(): Promise<void> }, lock: { release(): void }, log: Logger): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    await app.close();
    lock.release();
    log.flush();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

function listenProblem(listen: string, port: number, err: NodeJS.ErrnoException): string {
  const why: Record<string, string> = {
    EADDRINUSE: `port ${port} is already in use by another program; choose another port with --listen or HAVEN_LISTEN`,
    EACCES: `permission denied (ports below 1024 need privileges); choose another port with --listen or HAVEN_LISTEN`,
    EADDRNOTAVAIL: 'that address is not one of this machine\'s; use 0.0.0.0 (all addresses) or a local address',
    ENOTFOUND: 'that host name does not resolve',
  };
  return `cannot listen on ${listen} (listen): ${(err.code && why[err.code]) ?? err.message}`;
}

function loginBanner(url: string, b: BootstrapResult): string {
  const lines = [`Log in to the portal at ${url.replace(/\/$/, '')}/ as admin`];
  if (b.generatedPassword) {
    lines.push(`  admin password (generated, shown once; also in ${b.passwordFile}): ${b.generatedPassword}`);
  } else if (b.created) {
    lines.push('  admin password: the one set in adminPassword / HAVEN_ADMIN_PASSWORD');
  }
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  switch (command) {
    case 'serve':
      return serve(rest);
    case 'user':
      return userCommand(rest);
    case 'backup':
      return backupCommand(rest);
    case 'restore':
      return restoreCommand(rest);
    case 'migrate':
      return migrateCommand(rest);
    case '--version':
    case 'version':
      process.stdout.write(`haven ${version}\n`);
      return;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(usage);
      return;
    default:
      process.stderr.write(`haven: unknown command "${command}"\n\n${usage}`);
      process.exitCode = 2;
  }
}

/** Errors the user can fix get one line; anything else is a bug and keeps its stack. */
function isSystemError(err: unknown): err is NodeJS.ErrnoException {
  const e = err as NodeJS.ErrnoException;
  return e instanceof Error && typeof e.code === 'string' && typeof e.syscall === 'string' && /^E[A-Z]+$/.test(e.code);
}

main().catch((err) => {
  if (err instanceof ConfigError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`haven: ${(err as Error).message}\n`);
    process.exit(2);
  }
  if (err instanceof StartError || err instanceof StartupProblem || err instanceof DataDirLockedError || err instanceof StorageStartError || isSystemError(err)) {
    process.stderr.write(`haven: ${(err as Error).message}\n`);
    process.exit(1);
  }
  process.stderr.write(`haven: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
