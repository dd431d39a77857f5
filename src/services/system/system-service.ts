/** What the composition root tells the API about the running server. */
export interface SystemInfo {
  externalUrl(req: { protocol: string; host: string }): string;
  version: string;
  storageProvider: string;
  settings(): Promise<{ selfRegistration: boolean; projectCreationRestriction: 'everyone' | 'adminonly'; readOnly?: boolean }>;
  /** Component name -> null when healthy, or the error. */
  health(): Promise<Record<string, string | null>>;
}

type Status = 'healthy' | 'unhealthy';

/** Harbor's /health and /systeminfo answers, from what the server knows of itself. */
export function createSystemService(system: SystemInfo) {
  return {
    async health(): Promise<{ status: Status; components: Array<{ name: string; status: Status; error?: string }> }> {
      const checks = await system.health();
      const components = Object.entries(checks).map(([name, error]) => ({ name, status: (error ? 'unhealthy' : 'healthy') as Status, ...(error ? { error } : {}) }));
      return { status: components.every((c) => c.status === 'healthy') ? 'healthy' : 'unhealthy', components };
    },

    async generalInfo(origin: { protocol: string; host: string }, now = new Date()) {
      const s = await system.settings();
      const url = system.externalUrl(origin);
      return {
        current_time: now.toISOString(),
        registry_url: url.replace(/^https?:\/\//, ''),
        external_url: url,
        auth_mode: 'db_auth',
        primary_auth_mode: false,
        project_creation_restriction: s.projectCreationRestriction,
        self_registration: s.selfRegistration,
        has_ca_root: false,
        harbor_version: `haven-${system.version}`,
        registry_storage_provider_name: system.storageProvider,
        read_only: s.readOnly === true,
        notification_enable: false,
        banner_message: '',
      };
    },
  };
}
