/**
 * How the bench authenticates to a registry. distribution runs without auth. Haven, once it has
 * identity, refuses anonymous pushes: the bench then does what docker does — creates the `bench`
 * project as admin, takes a Bearer token from the realm in the /v2/ challenge (Basic admin
 * credentials, push+pull scopes for the bench repositories) and sends it on every request.
 * BENCH_HAVEN_AUTH=basic sends the admin's Basic credentials on every request instead.
 */
import { call, keepAliveAgent, type Endpoint } from './http.js';

export type AuthMode = 'bearer' | 'basic';

export interface RegistryAuth {
  /** 'none' when the registry answered /v2/ anonymously. */
  kind: 'none' | AuthMode;
  /** Headers to add to every registry request (a fresh token when the old one nears expiry). */
  headers(): Promise<Record<string, string>>;
  describe: string;
}

export const noAuth: RegistryAuth = { kind: 'none', headers: async () => ({}), describe: 'none' };

export interface AdminCredentials {
  username: string;
  password: string;
}

function basic(c: AdminCredentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
}

/** Parses `Bearer realm="…",service="…",scope="…"`. */
function parseChallenge(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of header.replace(/^Bearer\s+/i, '').matchAll(/(\w+)="([^"]*)"/g)) out[m[1]!] = m[2]!;
  return out;
}

/**
 * Works out whether `ep` needs credentials and, if so, prepares them for `repositories` (all in
 * project `project`, which is created when missing: private unless `isPublic`; the request-load
 * workload uses a public one to measure anonymous pulls against token-authenticated ones).
 */
export async function authenticate(
  ep: Endpoint,
  admin: AdminCredentials,
  project: string,
  repositories: string[],
  mode: AuthMode,
  isPublic = false,
): Promise<RegistryAuth> {
  const agent = keepAliveAgent(1);
  try {
    const probe = await call(agent, ep, 'GET', '/v2/');
    if (probe.status === 200) return noAuth;
    const challenge = probe.headers['www-authenticate'];
    if (probe.status !== 401 || typeof challenge !== 'string') {
      throw new Error(`GET /v2/ answered ${probe.status}; cannot tell how to authenticate`);
    }
    const created = await call(agent, ep, 'POST', '/api/v2.0/projects', {
      headers: { 'Content-Type': 'application/json', Authorization: basic(admin) },
      body: Buffer.from(JSON.stringify({ project_name: project, metadata: { public: isPublic ? 'true' : 'false' } })),
    });
    if (created.status !== 201 && created.status !== 409) {
      throw new Error(`creating project ${project}: ${created.status} ${created.body.toString('utf8').slice(0, 300)}`);
    }
    if (mode === 'basic') {
      const h = { Authorization: basic(admin) };
      return { kind: 'basic', headers: async () => h, describe: 'Basic admin credentials on every request' };
    }
    const { realm, service } = parseChallenge(challenge);
    if (!realm) throw new Error(`no realm in challenge "${challenge}"`);
    const realmUrl = new URL(realm);
    const q = new URLSearchParams();
    if (service) q.set('service', service);
    for (const r of repositories) q.append('scope', `repository:${r}:pull,push`);
    let token = '';
    let renewAt = 0;
    const fetchToken = async () => {
      const a = keepAliveAgent(1);
      try {
        const r = await call(a, { url: realmUrl.origin, host: realmUrl.hostname, port: Number(realmUrl.port) }, 'GET', `${realmUrl.pathname}?${q}`, {
          headers: { Authorization: basic(admin) },
        });
        if (r.status !== 200) throw new Error(`token request: ${r.status} ${r.body.toString('utf8').slice(0, 300)}`);
        const body = JSON.parse(r.body.toString('utf8')) as { token?: string; access_token?: string; expires_in?: number };
        token = body.token ?? body.access_token ?? '';
        if (!token) throw new Error('token response carries no token');
        // Renew a minute before expiry (docker's default lifetime when none is given is 60 s).
        renewAt = Date.now() + Math.max(30, (body.expires_in ?? 60) - 60) * 1000;
      } finally {
        a.destroy();
      }
    };
    await fetchToken();
    return {
      kind: 'bearer',
      async headers() {
        if (Date.now() >= renewAt) await fetchToken();
        return { Authorization: `Bearer ${token}` };
      },
      describe: `Bearer token from ${realmUrl.pathname} (admin, pull+push on the bench repositories), sent on every request`,
    };
  } finally {
    agent.destroy();
  }
}
