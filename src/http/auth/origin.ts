/**
 * The origin a browser says a state-changing request comes from: Origin, else the Referer's
 * origin, else null (curl and other non-browser clients send neither; they cannot be led by a
 * hostile page, so they need no such check). An unreadable Referer counts as foreign.
 */
export function requestOrigin(headers: { origin?: string | undefined; referer?: string | undefined }): string | null {
  if (headers.origin !== undefined) return headers.origin.trim().toLowerCase();
  if (headers.referer === undefined) return null;
  try {
    return new URL(headers.referer).origin.toLowerCase();
  } catch {
    return 'null';
  }
}

/**
 * Whether a request was sent from a page of another site (login CSRF): its origin is present
 * and is not Haven's own, externalUrl when set, else the scheme and host the request came to.
 */
export function isCrossOrigin(headers: { origin?: string | undefined; referer?: string | undefined }, ownOrigin: string): boolean {
  const origin = requestOrigin(headers);
  return origin !== null && origin !== ownOrigin.replace(/\/+$/, '').toLowerCase();
}
