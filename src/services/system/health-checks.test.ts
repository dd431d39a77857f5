import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSystemService } from './system-service.js';
import { createHealthChecks } from './health-checks.js';

const ok = async () => null;

function service(health: () => Promise<Record<string, string | null>>) {
  return createSystemService({ health, version: '0', storageProvider: 'filesystem', externalUrl: () => '', settings: async () => ({ selfRegistration: false, projectCreationRestriction: 'everyone' }) });
}

test('health lists core, database and storage, and redis only when it has a probe', async () => {
  const h = await service(createHealthChecks({ database: ok, storage: ok })).health();
  assert.deepEqual(h, {
    status: 'healthy',
    components: [
      { name: 'core', status: 'healthy' },
      { name: 'database', status: 'healthy' },
      { name: 'storage', status: 'healthy' },
    ],
  });
  const withRedis = await service(createHealthChecks({ database: ok, storage: ok, redis: ok })).health();
  assert.deepEqual(withRedis.components.map((c) => c.name), ['core', 'database', 'storage', 'redis']);
});

test('each failing component is reported with its error while the others stay healthy', async () => {
  for (const broken of ['database', 'storage', 'redis'] as const) {
    const probes = { database: ok, storage: ok, redis: ok, [broken]: async () => { throw new Error(`${broken} is down`); } };
    const h = await service(createHealthChecks(probes)).health();
    assert.equal(h.status, 'unhealthy');
    for (const c of h.components) {
      if (c.name === broken) assert.deepEqual(c, { name: broken, status: 'unhealthy', error: `${broken} is down` });
      else assert.deepEqual(c, { name: c.name, status: 'healthy' });
    }
  }
  const full = await service(createHealthChecks({ database: ok, storage: async () => 'only 1 MiB free' })).health();
  assert.deepEqual(full.components[2], { name: 'storage', status: 'unhealthy', error: 'only 1 MiB free' });
});

test('a probe that hangs is unhealthy after the deadline; the others answer', async () => {
  const started = Date.now();
  const h = await service(createHealthChecks({ database: () => new Promise(() => {}), storage: ok }, { timeoutMs: 100 })).health();
  assert.ok(Date.now() - started < 2000);
  assert.deepEqual(h.components[1], { name: 'database', status: 'unhealthy', error: 'no answer within 0.1s' });
  assert.equal(h.components[2]!.status, 'healthy');
});
