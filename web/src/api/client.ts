/**
 * The portal's one way to the server: /api/v2.0 with the session cookie, and Harbor's CSRF
 * token echoed on every state-changing request. The server sends the current token on every
 * API response, so the last one seen is always the one to send.
 */
let csrfToken = '';

export const apiBase = '/api/v2.0';

/** An error as the API words it (Harbor's `{"errors":[{code,message}]}`), for the user to read. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Page<T> {
  items: T[];
  total: number;
}

async function errorOf(res: Response): Promise<ApiError> {
  let code = 'UNKNOWN';
  let message = res.statusText || `HTTP ${res.status}`;
  try {
    const body = (await res.json()) as { errors?: Array<{ code?: string; message?: string }> };
    const first = body.errors?.[0];
    if (first?.code) code = first.code;
    if (first?.message) message = first.message;
  } catch {
    // Not JSON (a proxy's page): the status line is all there is.
  }
  return new ApiError(res.status, code, message);
}

type Query = Record<string, string | number | boolean | undefined>;

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}${path.includes('?') ? '&' : '?'}${s}` : path;
}

export async function request(method: string, path: string, body?: unknown, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('Accept', 'application/json');
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers.set('X-Harbor-CSRF-Token', csrfToken);
  let payload: BodyInit | undefined;
  if (body !== undefined) {
    headers.set('Content-Type', 'application/json');
    payload = JSON.stringify(body);
  }
  const res = await fetch(path.startsWith('/c/') ? path : `${apiBase}${path}`, { ...init, method, headers, body: payload, credentials: 'same-origin' });
  const token = res.headers.get('X-Harbor-CSRF-Token');
  if (token) csrfToken = token;
  if (res.status === 401 && !path.startsWith('/c/')) onUnauthorized();
  if (!res.ok) throw await errorOf(res);
  return res;
}

let onUnauthorized: () => void = () => {};
/** Called when a session ends under the user (idle timeout, logged out elsewhere). */
export function setUnauthorizedHandler(f: () => void): void {
  onUnauthorized = f;
}

async function json<T>(res: Response): Promise<T> {
  if (res.status === 204 || res.headers.get('Content-Length') === '0') return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const api = {
  get: async <T>(path: string, query?: Query): Promise<T> => json<T>(await request('GET', withQuery(path, query))),
  /** A Harbor list page: the items and X-Total-Count. */
  page: async <T>(path: string, query?: Query): Promise<Page<T>> => {
    const res = await request('GET', withQuery(path, query));
    const items = (await json<T[]>(res)) ?? [];
    return { items, total: Number(res.headers.get('X-Total-Count') ?? items.length) };
  },
  text: async (path: string, query?: Query): Promise<string> => (await request('GET', withQuery(path, query), undefined, { headers: { Accept: 'text/plain' } })).text(),
  post: async <T = void>(path: string, body?: unknown, query?: Query): Promise<T> => json<T>(await request('POST', withQuery(path, query), body)),
  put: async <T = void>(path: string, body?: unknown): Promise<T> => json<T>(await request('PUT', path, body)),
  patch: async <T = void>(path: string, body?: unknown): Promise<T> => json<T>(await request('PATCH', path, body)),
  delete: async <T = void>(path: string): Promise<T> => json<T>(await request('DELETE', path)),
  /** The id Harbor returns in Location after a create (`.../projects/12` → 12). */
  createdId: (location: string | null): number | null => {
    const m = location?.match(/\/(\d+)$/);
    return m ? Number(m[1]) : null;
  },
};

/** Harbor's portal login (form fields principal and password); the CSRF token comes back. */
export async function login(username: string, password: string): Promise<void> {
  const body = new URLSearchParams({ principal: username, password });
  const res = await fetch('/c/login', { method: 'POST', body, credentials: 'same-origin', headers: { Accept: 'application/json' } });
  const token = res.headers.get('X-Harbor-CSRF-Token');
  if (token) csrfToken = token;
  if (!res.ok) throw await errorOf(res);
}

export async function logout(): Promise<void> {
  await fetch('/c/log_out', { method: 'POST', credentials: 'same-origin' });
  csrfToken = '';
}

/** Repository names in paths: Harbor clients encode the slash twice (a%252Fb). */
export function repoPath(name: string): string {
  return encodeURIComponent(encodeURIComponent(name));
}
