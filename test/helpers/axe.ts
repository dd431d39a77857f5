import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';

/**
 * The serious and critical axe-core violations (WCAG 2.1 A and AA) on the page as it is now, one
 * line each with the first targets. Nothing is excluded: the theme (web/src/app/Themed.tsx) is
 * what keeps colour contrast, on every page at once.
 */
export async function seriousViolations(page: Page): Promise<string[]> {
  // Colours measured mid-transition (a button fading in as a tab opens) are no one's colours:
  // wait for the finite animations to end first (spinners run forever and are not waited for).
  await page
    .waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getComputedTiming().endTime === Number.POSITIVE_INFINITY), null, { timeout: 5_000 })
    .catch(() => undefined);
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}
