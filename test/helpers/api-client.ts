import type { RunningHaven } from './haven.js';

/** A user's (or robot's) login. */
export interface Creds {
  username: string;
  password: string;
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read response JSON loosely, field by field
  json: any;
}

export const basic = (c: Creds): string => `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;

export interface CallOptions {
  /** Who calls: credentials, null for anonymous; default the server's admin. */
  as?: Creds | null;
  /** A raw Authorization header (wins over `as`). */
  authorization?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * HTTP calls against a test Haven with explicit credentials. Every reply (status line, headers,
 * body) is handed to `onReply`, so a test can check afterwards that no secret ever left the server.
 */
export function apiClient(h: RunningHaven, onReply: (r: Reply) => void = () => {}) {
  const admin: Creds = { username: h.admin.username, password: h.admin.password };

  async function call(method: string, path: string, opts: CallOptions = {}): Promise<Reply> {
    const as = opts.as === undefined ? admin : opts.as;
    const authorization = opts.authorization ?? (as ? basic(as) : undefined);
    const headers: Record<string, string> = { ...(authorization !== undefined ? { Authorization: authorization } : {}), ...opts.headers };
    if (opts.body !== undefined && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
    const r = await fetch(`${h.url}${path}`, {
      method,
      headers,
      ...(opts.body !== undefined ? { body: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) } : {}),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await r.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    const reply: Reply = { status: r.status, headers: r.headers, text, json };
    onReply(reply);
    return reply;
  }

  return {
    admin,
    call,
    /** A management API call: `path` below /api/v2.0. */
    api: (method: string, path: string, opts: CallOptions = {}) => call(method, `/api/v2.0${path}`, opts),
    /** The registry token a caller gets for `scopes` (GET /service/token), decoded. */
    async token(as: Creds | null, ...scopes: string[]): Promise<{ status: number; token: string; access: Array<{ type: string; name: string; actions: string[] }> }> {
      const qs = ['service=haven', ...scopes.map((s) => `scope=${encodeURIComponent(s)}`)].join('&');
      const r = await call('GET', `/service/token?${qs}`, { as });
      if (r.status !== 200) return { status: r.status, token: '', access: [] };
      const token = String(r.json.token);
      const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
      return { status: 200, token, access: payload.access };
    },
  };
}

/** Everything a reply shows a client: status, headers and body, as one string to search. */
export function replyText(r: Reply): string {
  return `${r.status}\n${[...r.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n${r.text}`;
}
