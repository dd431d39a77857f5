#!/usr/bin/env node
// Runs every test file (unit tests beside the code in src/, end-to-end tests in test/) with
// node's built-in runner through tsx. Pass file paths to run only those.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function find(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) find(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const files = process.argv.slice(2).length > 0 ? process.argv.slice(2) : [...find('src'), ...find('test')].sort();
const args = ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=900000', ...files];
const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(r.status ?? 1);
