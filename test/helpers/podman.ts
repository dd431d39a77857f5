import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { run, type RunResult } from './run.js';

export type Podman = (args: string[]) => Promise<RunResult>;

/**
 * podman with a private image store and configuration under `dir`, so the machine's podman
 * images are neither read nor changed. (containers/image still keeps its blob-info cache in
 * /var/lib/containers/cache when run as root.)
 */
export function privatePodman(dir: string, authFile: string, opts: { timeoutMs?: number; env?: Record<string, string> } = {}): Podman {
  for (const d of ['root', 'runroot', 'tmp', 'networks', 'vartmp']) mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, 'storage.conf'), `[storage]\ndriver = "vfs"\nrunroot = "${join(dir, 'runroot')}"\ngraphroot = "${join(dir, 'root')}"\n`);
  const globals = [
    '--root', join(dir, 'root'),
    '--runroot', join(dir, 'runroot'),
    '--tmpdir', join(dir, 'tmp'),
    '--network-config-dir', join(dir, 'networks'),
    '--storage-driver', 'vfs',
    '--cgroup-manager', 'cgroupfs',
    '--events-backend', 'none',
  ];
  const env = { CONTAINERS_STORAGE_CONF: join(dir, 'storage.conf'), TMPDIR: join(dir, 'vartmp'), REGISTRY_AUTH_FILE: authFile, ...opts.env };
  return (args) => run('podman', [...globals, ...args], { timeoutMs: opts.timeoutMs ?? 60_000, env });
}

/**
 * The storage driver podman reports, or null when podman cannot run here: then the test fails in
 * CI (a missing client never silently skips there) and is skipped elsewhere, with the reason.
 */
export async function podmanDriver(t: TestContext, podman: Podman): Promise<string | null> {
  const info = await podman(['info', '--format', '{{.Store.GraphDriverName}}']);
  if (info.code === 0) return info.stdout.toString().trim();
  const reason = `podman cannot run on this machine: ${info.stderr.trim().split('\n').pop() ?? `exit ${info.code}`}`;
  if (process.env.CI) assert.fail(reason);
  t.skip(reason);
  return null;
}
