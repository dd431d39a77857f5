import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import type { ProjectStats } from '../../db/exporter-stats.js';
import { registerHarborExporter, type HarborExporterSource } from './harbor-exporter.js';

const project = (name: string, over: Partial<ProjectStats> = {}): ProjectStats => ({ name, public: false, quota: -1, used: 0, members: 1, repositories: 0, pulls: 0, ...over });

function setup(over: Partial<HarborExporterSource> = {}) {
  const calls = { projects: 0, storage: 0 };
  let clock = 0;
  let rows = [project('a', { public: true, repositories: 2, pulls: 5 }), project('b', { quota: 1000, used: 10 })];
  const registry = new Registry();
  const errors: string[] = [];
  registerHarborExporter(
    registry,
    {
      stats: {
        projects: async () => {
          calls.projects++;
          return rows;
        },
        storageBytes: async () => {
          calls.storage++;
          return 4242;
        },
      },
      health: async () => ({ core: null, database: 'down' }),
      systemInfo: async () => ({ authMode: 'db_auth', version: 'haven-1', selfRegistration: false }),
      cacheMs: 10_000,
      privateNames: true,
      ...over,
    },
    { now: () => clock, onError: (_e, what) => errors.push(what) },
  );
  return {
    scrape: () => registry.metrics(),
    calls,
    errors,
    tick: (ms: number) => (clock += ms),
    setRows: (r: ProjectStats[]) => (rows = r),
  };
}

test('one scrape runs one query set, and the cache serves scrapes within cacheTime', async () => {
  const s = setup();
  const text = await s.scrape();
  assert.match(text, /^harbor_project_total\{public="true"\} 1$/m);
  assert.match(text, /^harbor_project_repo_total\{project_name="a",public="true"\} 2$/m);
  assert.match(text, /^harbor_artifact_pulled\{project_name="a"\} 5$/m);
  assert.match(text, /^harbor_project_quota_byte\{project_name="b"\} 1000$/m);
  assert.match(text, /^harbor_statistics_total_storage_consumption 4242$/m);
  assert.match(text, /^harbor_up\{component="database"\} 0$/m);
  assert.match(text, /^harbor_health 0$/m);
  assert.deepEqual(s.calls, { projects: 1, storage: 1 });

  s.setRows([project('a', { public: true, repositories: 3 })]);
  s.tick(5_000);
  assert.match(await s.scrape(), /^harbor_project_repo_total\{project_name="a",public="true"\} 2$/m);
  assert.deepEqual(s.calls, { projects: 1, storage: 1 });
  s.tick(5_001);
  const fresh = await s.scrape();
  assert.match(fresh, /^harbor_project_repo_total\{project_name="a",public="true"\} 3$/m);
  assert.doesNotMatch(fresh, /project_name="b"/, 'a deleted project leaves the gauges');
  // The storage total (a scan of the blobs table) is refreshed six times less often.
  assert.deepEqual(s.calls, { projects: 2, storage: 1 });
});

test('an instance that does not export the database gauges still reports its own health', async () => {
  const s = setup({ databaseGauges: () => false });
  const text = await s.scrape();
  assert.doesNotMatch(text, /^harbor_project_total\{/m);
  assert.doesNotMatch(text, /^harbor_statistics_total_storage_consumption /m);
  assert.match(text, /^harbor_up\{component="core"\} 1$/m);
  assert.match(text, /^harbor_system_info\{auth_mode="db_auth",harbor_version="haven-1",self_registration="false"\} 1$/m);
  assert.deepEqual(s.calls, { projects: 0, storage: 0 });
});

test('a failed collection leaves its gauges out of that scrape and is retried at the next', async () => {
  let fail = true;
  const s = setup({
    stats: {
      projects: async () => {
        if (fail) throw new Error('database is down');
        return [project('a')];
      },
      storageBytes: async () => 1,
    },
  });
  const text = await s.scrape();
  assert.doesNotMatch(text, /^harbor_project_total\{/m);
  assert.ok(s.errors.includes('harbor_project_total'));
  fail = false;
  assert.match(await s.scrape(), /^harbor_project_total\{public="false"\} 1$/m);
});
