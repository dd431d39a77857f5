/** A probe resolves null when its component is healthy, or a message saying what is wrong. */
export type HealthProbe = () => Promise<string | null>;

export interface HealthProbes {
  database: HealthProbe;
  storage: HealthProbe;
  /** Present when redis.url is configured (the redis wiring supplies it). */
  redis?: HealthProbe;
}

/** A probe that has not answered by then is reported unhealthy: /health itself never hangs. */
const probeTimeoutMs = 5_000;

function settle(probe: HealthProbe, timeoutMs: number): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${timeoutMs / 1000}s`), timeoutMs);
  });
  const answer = Promise.resolve()
    .then(probe)
    .catch((err: unknown) => (err instanceof Error ? err.message : String(err)) || 'failed');
  return Promise.race([answer, late]).finally(() => clearTimeout(timer));
}

/**
 * Harbor's component list for /api/v2.0/health: core (this process, healthy when it answers),
 * database, storage and, when configured, redis. Probes run at once, each with a deadline.
 */
export function createHealthChecks(probes: HealthProbes, opts: { timeoutMs?: number } = {}) {
  const timeoutMs = opts.timeoutMs ?? probeTimeoutMs;
  return async (): Promise<Record<string, string | null>> => {
    const entries = Object.entries(probes).filter((e): e is [string, HealthProbe] => e[1] !== undefined);
    const results = await Promise.all(entries.map(([, p]) => settle(p, timeoutMs)));
    return { core: null, ...Object.fromEntries(entries.map(([name], i) => [name, results[i]!])) };
  };
}
