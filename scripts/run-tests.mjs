#!/usr/bin/env node
// Runs every test file (unit tests beside the code in src/, end-to-end tests in test/) with
// node's built-in runner through tsx, then the end-to-end tests again with Haven on PostgreSQL
// (one throwaway cluster for the run, a database per Haven). Pass file paths to run only those,
// once, on the database HAVEN_TEST_DATABASE names (sqlite by default).
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { register } from 'tsx/esm/api';

function find(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) find(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const assertMessages = new URL('../test/helpers/assert-messages.ts', import.meta.url).href;

function run(files, database, env) {
  process.stdout.write(`\n# ${files.length} test files, Haven on ${database}\n`);
  const args = ['--import', 'tsx', '--import', assertMessages, '--test', '--test-concurrency=2', '--test-timeout=900000', ...files];
  const r = spawnSync(process.execPath, args, { stdio: 'inherit', env: { ...process.env, ...env, HAVEN_TEST_DATABASE: database } });
  return r.status ?? 1;
}

register();
const { startPostgres } = await import('../test/backends/postgres.ts');
const cluster = await startPostgres();
const env = { HAVEN_TEST_PG_URL: cluster.adminUrl };
let status;
try {
  const given = process.argv.slice(2);
  if (given.length > 0) {
    status = run(given, process.env.HAVEN_TEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite', env);
  } else {
    const all = [...find('src'), ...find('test')].sort();
    const first = run(all, 'sqlite', env);
    // Unit tests do not start Haven (the store contract already ran on both dialects), and a
    // file marked @haven-own-database picks its databases itself, PostgreSQL included.
    const ownDatabase = (f) => readFileSync(f, 'utf8').slice(0, 300).includes('@haven-own-database');
    // The portal's browser tests run once: the API beneath them runs on both in the API tests.
    const portal = (f) => f.startsWith(join('test', 'portal'));
    const second = run(all.filter((f) => f.startsWith('test') && !ownDatabase(f) && !portal(f)), 'postgres', env);
    status = first || second;
  }
} finally {
  await cluster.stop();
}
process.exit(status);
