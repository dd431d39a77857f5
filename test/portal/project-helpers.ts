import type { Page } from 'playwright-core';

/** The API calls the page made that failed (status, path, body), for a failing test's diagnostics. */
export function apiFailures(page: Page): string[] {
  const out: string[] = [];
  page.on('response', (r) => {
    if (r.status() < 400 || !r.url().includes('/api/v2.0/') || r.url().endsWith('/users/current')) return;
    void r
      .text()
      .catch(() => '')
      .then((body) => out.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}: ${body.slice(0, 300)}`));
  });
  return out;
}
