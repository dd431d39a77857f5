/**
 * Typed application errors. Every layer throws these; only the HTTP error plugin turns them into
 * bytes on the wire (OCI error JSON under /v2, Harbor error JSON under /api).
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
  // Management API (Harbor) codes.
  BAD_REQUEST: 400,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PRECONDITION: 412,
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

/** The destination went away while bytes were being sent: the client's doing, not storage's. */
export class ClientClosedError extends Error {
  constructor() {
    super('client closed the connection');
    this.name = 'ClientClosedError';
  }
}
