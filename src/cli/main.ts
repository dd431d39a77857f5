#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { createApp } from '../app.js';
import { metricsAddress } from '../http/server.js';
import type { BootstrapResult } from '../services/identity/bootstrap.js';
import { ConfigError, flagName, loadConfig } from '../config/load.js';
import { configKeys } from '../config/schema.js';
import { createLogger } from '../platform/logger.js';
import { userCommand } from './user-command.js';

const usage = `Usage: haven <command> [options]

Commands:
  serve     run the registry, API, portal and background jobs in this process
  user      create a user or reset a password on the data directory (haven user --help)

Options for serve (each also settable in haven.yml or as HAVEN_* environment variables):
  --config <file>              configuration file (default ./haven.yml when present)
${configKeys.map((k) => `  --${flagName(k)} <value>`).join('\n')}
`;

async function serve(argv: string[]): Promise<void> {
  const options: Record<string, { type: 'string' }> = { config: { type: 'string' } };
  for (const k of configKeys) options[flagName(k)] = { type: 'string' };
  const { values } = parseArgs({ args: argv, options, strict: true });
  const { config: file, ...flags } = values as Record<string, string | undefined>;
  const config = loadConfig({ ...(file ? { file } : {}), flags });
  const log = createLogger(config.log.level, config.log.file || undefined);
  const app = await createApp(config, log);
  const i = config.listen.lastIndexOf(':');
  const host = config.listen.slice(0, i).replace(/^\[|\]$/g, '');
  const port = Number(config.listen.slice(i + 1));
  const address = await app.server.listen({ host, port });
  log.info({ address, dataDir: config.dataDir }, 'haven is listening');
  const metrics = metricsAddress(app.server);
  // One write, so whoever waits for "listening on" also has the login and metrics lines.
  process.stdout.write(
    `Haven registry listening on ${address} (data in ${config.dataDir})\n` +
      loginBanner(config.externalUrl || address.replace('0.0.0.0', 'localhost'), app.bootstrap) +
      (metrics ? `Metrics at ${metrics}/metrics\n` : ''),
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    await app.close();
    log.flush();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

function loginBanner(url: string, b: BootstrapResult): string {
  const lines = [`Log in at ${url} as admin`];
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

main().catch((err) => {
  if (err instanceof ConfigError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`haven: ${(err as Error).message}\n`);
    process.exit(2);
  }
  process.stderr.write(`haven: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
