import { spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';

/**
 * Whether an external program is present. In CI a missing tool fails the test (it must never
 * silently skip); on a developer machine the test is skipped with the reason.
 */
export function requireTool(t: TestContext, tool: string): boolean {
  const found = spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
  if (found) return true;
  if (process.env.CI) throw new Error(`${tool} is required in CI but is not installed`);
  t.skip(`${tool} is not installed`);
  return false;
}
