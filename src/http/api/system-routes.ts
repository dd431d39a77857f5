import type { FastifyInstance } from 'fastify';

export interface SystemInfo {
  externalUrl(req: { protocol: string; host: string }): string;
  version: string;
  storageProvider: string;
  settings(): Promise<{ selfRegistration: boolean; projectCreationRestriction: 'everyone' | 'adminonly' }>;
  /** Component name -> null when healthy, or the error. */
  health(): Promise<Record<string, string | null>>;
}

export async function systemRoutes(app: FastifyInstance, opts: { system: SystemInfo }) {
  const { system } = opts;

  app.get('/ping', async (_req, reply) => reply.type('text/plain; charset=utf-8').send('Pong'));

  app.get('/health', async (_req, reply) => {
    const checks = await system.health();
    const components = Object.entries(checks).map(([name, error]) => ({ name, status: error ? 'unhealthy' : 'healthy', ...(error ? { error } : {}) }));
    const healthy = components.every((c) => c.status === 'healthy');
    reply.code(healthy ? 200 : 503);
    return { status: healthy ? 'healthy' : 'unhealthy', components };
  });

  app.get('/systeminfo', async (req) => {
    const s = await system.settings();
    const url = system.externalUrl(req);
    return {
      current_time: new Date().toISOString(),
      registry_url: url.replace(/^https?:\/\//, ''),
      external_url: url,
      auth_mode: 'db_auth',
      primary_auth_mode: false,
      project_creation_restriction: s.projectCreationRestriction,
      self_registration: s.selfRegistration,
      has_ca_root: false,
      harbor_version: `haven-${system.version}`,
      registry_storage_provider_name: system.storageProvider,
      read_only: false,
      notification_enable: false,
      banner_message: '',
    };
  });
}
