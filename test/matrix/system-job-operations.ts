import assert from 'node:assert/strict';
import type { Creds } from '../helpers/api-client.js';
import { eventually } from '../helpers/eventually.js';
import type { MatrixContext, Operation, OperationGroup } from './operation.js';

/**
 * The system administrators' job APIs in the matrix: /system/purgeaudit and /system/gc (every
 * operation), the job service dashboard (/jobservice/*) and /schedules. No project role grants
 * them (Harbor checks system access: RequireSystemAccess), so every caller but a sysadmin is
 * refused, a non-member of a private project too: 401 anonymous, 403 anyone logged in, robots
 * included (`systemRobots`, test/permission-matrix.test.ts). The writes leave things as they were: runs are dry runs, a schedule
 * set is removed again, a paused queue is resumed, a stopped job had already ended.
 */
let api: MatrixContext['api'];
/** Made once (the group's setup runs for each project variant): finished runs to read and stop. */
let fixtures: Promise<{ purgeId: number; gcId: number; taskId: number }> | undefined;

/** A pseudo-permission no project role has: allowed to sysadmins only. */
const permission = 'system:job';

const purgeRun = { schedule: { type: 'Manual' }, parameters: { audit_retention_hour: 87_600, include_event_types: 'create_project', dry_run: true } };
const gcRun = { schedule: { type: 'Manual' }, parameters: { dry_run: true, workers: 1 } };
const weekly = (parameters: Record<string, unknown>) => ({ schedule: { type: 'Custom', cron: '0 0 0 * * 0' }, parameters });

async function finished(prefix: string, body: unknown): Promise<number> {
  const r = await api('POST', `${prefix}/schedule`, { body });
  assert.equal(r.status, 201, r.text);
  const id = Number(r.headers.get('location')!.split('/').pop());
  await eventually(async () => assert.equal((await api('GET', `${prefix}/${id}`)).json?.job_status, 'Success', `${prefix}/${id} not done`));
  return id;
}

async function makeFixtures() {
  const purgeId = await finished('/system/purgeaudit', purgeRun);
  const gcId = await finished('/system/gc', gcRun);
  // The dashboard's job ids are task ids: the purge's one task, named by its log.
  const log = await api('GET', `/system/purgeaudit/${purgeId}/log`);
  const m = /PURGE_AUDIT_LOG task (\d+) started/.exec(log.text);
  assert.ok(m, log.text);
  return { purgeId, gcId, taskId: Number(m[1]) };
}

const f = () => fixtures!;

/** A sysadmin-only operation: refused as such to everyone else, whatever the project. */
const op = (name: string, okStatus: number, attempt: Operation['attempt'], restore?: Operation['restore']): Operation => ({
  name,
  permission,
  okStatus,
  loginFirst: true,
  system: true,
  attempt,
  ...(restore ? { restore } : {}),
});

function systemJobRows(prefix: string, run: unknown, schedule: unknown, id: () => Promise<number>): Operation[] {
  return [
    op(`GET ${prefix}`, 200, (as) => api('GET', prefix, { as })),
    op(`GET ${prefix}/schedule`, 200, (as) => api('GET', `${prefix}/schedule`, { as })),
    op(`POST ${prefix}/schedule (Manual, dry run)`, 201, (as) => api('POST', `${prefix}/schedule`, { as, body: run })),
    op(
      `PUT ${prefix}/schedule`,
      200,
      (as) => api('PUT', `${prefix}/schedule`, { as, body: schedule }),
      async () => {
        const r = await api('PUT', `${prefix}/schedule`, { body: { schedule: { type: 'None' } } });
        assert.equal(r.status, 200, r.text);
      },
    ),
    op(`GET ${prefix}/{id}`, 200, async (as) => api('GET', `${prefix}/${await id()}`, { as })),
    op(`GET ${prefix}/{id}/log`, 200, async (as) => api('GET', `${prefix}/${await id()}/log`, { as })),
    op(`PUT ${prefix}/{id} (stop, already ended)`, 200, async (as) => api('PUT', `${prefix}/${await id()}`, { as })),
  ];
}

const queue = (type: string, action: string) => (as: Creds | null) => api('PUT', `/jobservice/queues/${type}`, { as, body: { action } });

export const systemJobOperations: OperationGroup = {
  name: 'system jobs, job service, schedules',
  async setup(ctx) {
    api = ctx.api;
    fixtures ??= makeFixtures();
    await fixtures;
  },
  operations: [
    ...systemJobRows('/system/purgeaudit', purgeRun, weekly(purgeRun.parameters), async () => (await f()).purgeId),
    ...systemJobRows('/system/gc', gcRun, weekly({ delete_untagged: false }), async () => (await f()).gcId),
    op('GET /jobservice/pools', 200, (as) => api('GET', '/jobservice/pools', { as })),
    op('GET /jobservice/pools/{id}/workers', 200, (as) => api('GET', '/jobservice/pools/all/workers', { as })),
    op('GET /jobservice/queues', 200, (as) => api('GET', '/jobservice/queues', { as })),
    op('PUT /jobservice/queues/{type} (pause)', 200, queue('PURGE_AUDIT_LOG', 'pause'), async () => {
      const r = await api('PUT', '/jobservice/queues/PURGE_AUDIT_LOG', { body: { action: 'resume' } });
      assert.equal(r.status, 200, r.text);
    }),
    op('PUT /jobservice/queues/{type} (resume)', 200, queue('PURGE_AUDIT_LOG', 'resume')),
    // No Slack policy exists in the matrix: nothing pending to stop.
    op('PUT /jobservice/queues/{type} (stop)', 200, queue('SLACK', 'stop')),
    op('GET /jobservice/jobs/{id}/log', 200, async (as) => api('GET', `/jobservice/jobs/${(await f()).taskId}/log`, { as })),
    op('PUT /jobservice/jobs/{id} (stop, already ended)', 200, async (as) => api('PUT', `/jobservice/jobs/${(await f()).taskId}`, { as })),
    op('PUT /jobservice/jobs/{id} (no such job)', 404, (as) => api('PUT', '/jobservice/jobs/999999999', { as })),
    op('GET /schedules', 200, (as) => api('GET', '/schedules', { as })),
    op('GET /schedules/all/paused', 200, (as) => api('GET', '/schedules/all/paused', { as })),
  ],
};

/**
 * Robots never hold system access in Haven (a system robot's permissions are project ones), so
 * each of these operations refuses them with 403: one robot of the project with every grant the
 * test gives it, and one system robot covering every project.
 */
export async function systemRobots(ctx: Pick<MatrixContext, 'api'>): Promise<Creds[]> {
  // A project of their own: the matrix counts the robots of its projects under test.
  const projectName = 'matrix-sysjobs';
  const p = await ctx.api('POST', '/projects', { body: { project_name: projectName, metadata: { public: 'false' } } });
  assert.equal(p.status, 201, p.text);
  const access = [
    { resource: 'repository', action: 'pull' },
    { resource: 'repository', action: 'push' },
    { resource: 'artifact', action: 'delete' },
  ];
  const made: Creds[] = [];
  for (const [name, level, namespace] of [
    ['sysjobs-project', 'project', projectName],
    ['sysjobs-system', 'system', '*'],
  ] as const) {
    const r = await ctx.api('POST', '/robots', { body: { name, level, duration: -1, permissions: [{ kind: 'project', namespace, access }] } });
    assert.equal(r.status, 201, r.text);
    made.push({ username: r.json.name, password: r.json.secret });
  }
  return made;
}
