/**
 * A backend named by a setting cannot be used at start-up (unreachable, refused credentials, a
 * missing bucket): `haven serve` stops with one line naming the setting, never a stack trace.
 */
export class StartupProblem extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`${setting}: ${message}`);
    this.name = 'StartupProblem';
  }
}

/** A URL fit for a log line or an error: any password is replaced by ***. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.href;
  } catch {
    return '(unparsable URL)';
  }
}
