// The README's walkthrough, run as written: its shell block is taken from README.md, pointed at a
// test Haven (its port and data dir instead of localhost:5000 and ./data), and run line by line
// by bash with real podman and skopeo. A README that stops working fails here.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { eventually } from './helpers/eventually.js';
import { startHaven } from './helpers/haven.js';
import { describeRun, run } from './helpers/run.js';
import { requireTool } from './helpers/tools.js';

const readme = readFileSync(resolve(import.meta.dirname, '../README.md'), 'utf8');

/** The first sh block after the walkthrough's heading. */
function walkthrough(): string[] {
  const section = readme.slice(readme.indexOf('## Push your first image'));
  const m = /```sh\n([\s\S]*?)```/.exec(section);
  assert.ok(m, 'README.md has a "Push your first image" section with a sh block');
  return m[1]!.split('\n').filter((l) => l.trim() !== '');
}

test('the README starts with the two commands: install and start, run the tests', () => {
  const first = /```sh\n([\s\S]*?)```/.exec(readme)![1]!.trim().split('\n');
  assert.match(first[0]!, /^npm ci && npm start\b/);
  assert.match(first[1]!, /^npm test\b/);
});

test('the README walkthrough works when pasted, against a fresh Haven', { timeout: 300_000 }, async (t) => {
  for (const tool of ['podman', 'skopeo', 'curl']) if (!requireTool(t, tool)) return;
  const lines = walkthrough();
  // The first line installs and starts Haven: here the test starts it, with a generated password.
  assert.match(lines[0]!, /^npm ci && npm start &/);
  assert.match(lines[1]!, /^until curl -sf localhost:5000\/api\/v2\.0\/ping/, 'the walkthrough waits for the server before using it');

  const work = mkdtempSync(join(tmpdir(), 'haven-readme-'));
  const h = await startHaven({ env: { HAVEN_ADMIN_PASSWORD: '' } });
  try {
    const script = lines
      .slice(1)
      .map((l) => l.replaceAll('localhost:5000', h.host).replace(/\bdata\//g, `${h.dataDir}/`))
      .join('\n');
    // podman's image store and the registry logins go to the test's own directory.
    const store = join(work, 'store');
    for (const d of ['root', 'runroot', 'tmp']) mkdirSync(join(store, d), { recursive: true });
    const storageConf = join(work, 'storage.conf');
    writeFileSync(storageConf, `[storage]\ndriver = "vfs"\ngraphroot = "${join(store, 'root')}"\nrunroot = "${join(store, 'runroot')}"\n`);
    const env = {
      CONTAINERS_STORAGE_CONF: storageConf,
      REGISTRY_AUTH_FILE: join(work, 'auth.json'),
      BUILDAH_ISOLATION: 'chroot',
      TMPDIR: join(store, 'tmp'),
    };
    const r = await run('bash', ['-euo', 'pipefail', '-c', `cd ${JSON.stringify(work)}\n${script}`], { timeoutMs: 240_000, env });
    const out = r.stdout.toString();
    assert.equal(r.code, 0, describeRun('bash', ['(README walkthrough)'], r));

    // What each step shows the user.
    assert.deepEqual(JSON.parse(/\{\s*"Repository"[\s\S]*?\}/.exec(out)![0]).Tags, ['v1'], 'skopeo list-tags lists the pushed tag');
    const shown = JSON.parse(out.slice(out.lastIndexOf('\n[') + 1)) as Array<{ operation: string; resource: string }>;
    assert.ok(shown.some((a) => a.operation === 'create' && a.resource.startsWith('library/hello')), `the last curl shows the push: ${JSON.stringify(shown)}`);

    // And the registry agrees: every step is audited, team1 exists, the image is gone.
    const password = readFileSync(join(h.dataDir, 'admin-password'), 'utf8').trim();
    const auth = { Authorization: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}` };
    await eventually(async () => {
      const audit = (await (await fetch(`${h.url}/api/v2.0/audit-logs?page_size=100`, { headers: auth })).json()) as Array<{ operation: string; resource: string }>;
      for (const op of ['create', 'pull', 'delete']) {
        assert.ok(audit.some((a) => a.operation === op && a.resource.startsWith('library/hello')), `${op} of library/hello is audited: ${JSON.stringify(audit)}`);
      }
    });
    assert.equal((await fetch(`${h.url}/api/v2.0/projects?project_name=team1`, { method: 'HEAD', headers: auth })).status, 200);
    // The deleted image was the repository's last: the repository goes with it, as in Harbor.
    const tags = await fetch(`${h.url}/v2/library/hello/tags/list`, { headers: auth });
    assert.equal(tags.status, 404);
    assert.equal(((await tags.json()) as { errors: Array<{ code: string }> }).errors[0]!.code, 'NAME_UNKNOWN');
  } finally {
    await h.cleanup();
    await run('podman', ['--root', join(work, 'store', 'root'), '--runroot', join(work, 'store', 'runroot'), '--storage-driver', 'vfs', 'rmi', '--all', '--force'], { timeoutMs: 60_000 });
    rmSync(work, { recursive: true, force: true });
  }
});
