/**
 * Typed application errors. Every layer throws these; only the HTTP error mapper
 * (http/error-mapping.ts) turns them into bytes on the wire, in the format of the request's area
 * (OCI error JSON under /v2, Harbor's under /api/v2.0, the token service's under /service/token).
 */
export const ociErrorCodes = {
  BLOB_UNKNOWN: 404,
  BLOB_UPLOAD_INVALID: 400,
  BLOB_UPLOAD_UNKNOWN: 404,
  DIGEST_INVALID: 400,
  MANIFEST_BLOB_UNKNOWN: 404,
  MANIFEST_INVALID: 400,
  MANIFEST_UNKNOWN: 404,
  NAME_INVALID: 400,
  NAME_UNKNOWN: 404,
  SIZE_INVALID: 400,
  UNAUTHORIZED: 401,
  DENIED: 403,
  UNSUPPORTED: 405,
  TOOMANYREQUESTS: 429,
  RANGE_INVALID: 416,
  PAGINATION_NUMBER_INVALID: 400,
  UNKNOWN: 500,
  /** Free space below the reserve: uploads are refused before the disk (and database) fill up. */
  INSUFFICIENT_STORAGE: 507,
  /** A backend (database, Redis, object storage) cannot be reached: distribution's code. */
  UNAVAILABLE: 503,
  // Management API (Harbor) codes.
  BAD_REQUEST: 400,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  METHOD_NOT_ALLOWED: 405,
  PRECONDITION: 412,
  // Token service: the OAuth2 form (RFC 6749 §5.2) names its own errors.
  UNSUPPORTED_GRANT_TYPE: 400,
} as const;

export type OciErrorCode = keyof typeof ociErrorCodes;

export class AppError extends Error {
  readonly code: OciErrorCode;
  readonly status: number;
  readonly detail: unknown;
  /** Extra response headers the error needs (e.g. Range on 416). */
  readonly headers: Record<string, string>;

  constructor(
    code: OciErrorCode,
    message: string,
    opts: { status?: number; detail?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = opts.status ?? ociErrorCodes[code];
    this.detail = opts.detail;
    this.headers = opts.headers ?? {};
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

/** An error and the errors it wraps (`cause`), two levels deep: drivers and SDKs wrap theirs. */
function* causes(err: unknown): Generator<object> {
  for (let e = err, depth = 0; depth < 3 && typeof e === 'object' && e !== null; e = (e as { cause?: unknown }).cause, depth++) yield e;
}

/**
 * Whether a database error is a unique or primary-key violation: better-sqlite3's
 * SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY, PostgreSQL's SQLSTATE 23505. Two requests creating the
 * same thing at once get past any pre-check; the database refusing the second is a conflict the
 * caller can act on, never a server fault. Also found through a wrapper or two (`cause`).
 */
export function isUniqueViolation(err: unknown): boolean {
  for (const e of causes(err)) {
    const code = (e as { code?: unknown }).code;
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505') return true;
  }
  return false;
}

/**
 * A backend Haven needs is out of reach (named: 'database', 'redis', 'storage'). Thrown by
 * whoever notices it; the error mapper answers 503 with a Retry-After, and the request is
 * retried by the client once the backend is back: nothing acknowledged depends on it.
 */
export class BackendUnavailableError extends Error {
  constructor(
    readonly backend: string,
    options?: { cause?: unknown },
  ) {
    super(`the ${backend} is unavailable; try again shortly`, options);
    this.name = 'BackendUnavailableError';
  }
}

const connectionCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

/**
 * Which backend an error says is unreachable, or null: a BackendUnavailableError, or what
 * node-postgres reports when the server is down or restarting (SQLSTATE class 08, 57P01-57P03,
 * too many connections, a refused or dropped socket, its pool's connect timeout).
 */
export function unavailableBackend(err: unknown): string | null {
  for (const e of causes(err)) {
    if (e instanceof BackendUnavailableError) return e.backend;
    const code = String((e as { code?: unknown }).code ?? '');
    const message = String((e as { message?: unknown }).message ?? '');
    if (/^08...$/.test(code) || ['57P01', '57P02', '57P03', '53300'].includes(code)) return 'database';
    if (/timeout exceeded when trying to connect|Connection terminated|Query read timeout/.test(message)) return 'database';
    const syscall = (e as { syscall?: string }).syscall;
    if (connectionCodes.has(code) && (syscall === 'connect' || syscall === 'getaddrinfo')) return 'database';
  }
  return null;
}

/** The destination went away while bytes were being sent: the client's doing, not storage's. */
export class ClientClosedError extends Error {
  constructor() {
    super('client closed the connection');
    this.name = 'ClientClosedError';
  }
}
