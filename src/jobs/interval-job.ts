import type { Logger } from '../platform/logger.js';

export interface IntervalJob {
  stop(): Promise<void>;
}

/**
 * Runs `work` every `everyMs`, never overlapping itself, logging failures instead of crashing.
 * The in-process scheduler for the embedded default; a DB-backed queue will take over later.
 */
export function startIntervalJob(name: string, everyMs: number, work: () => Promise<unknown>, log: Logger, opts: { atStart?: boolean } = {}): IntervalJob {
  let running: Promise<unknown> | null = null;
  const tick = () => {
    if (running) return;
    running = work()
      .catch((err) => log.error({ err, job: name }, 'background job failed'))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, everyMs);
  timer.unref();
  if (opts.atStart) tick();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
