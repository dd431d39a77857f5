import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

/** Log bytes held in memory while the destination cannot be written; past it, lines are dropped. */
const maxBuffered = 16 << 20;

export function createLogger(level: LevelWithSilent, destination?: string): Logger {
  const dest = destination
    ? pino.destination({ dest: destination, sync: false, mkdir: true, maxLength: maxBuffered })
    : pino.destination({ sync: false, maxLength: maxBuffered });
  // A full disk (ENOSPC) must cost log lines, never the server: unhandled, the write error
  // crashes the process, and the synchronous flush at exit then retries forever.
  let failing = false;
  dest.on('error', (err: NodeJS.ErrnoException) => {
    if (!failing) process.stderr.write(`haven: cannot write the log (${err.code ?? err.message}); lines are dropped until it can\n`);
    failing = true;
  });
  dest.on('write', () => (failing = false));
  const flushSync = dest.flushSync.bind(dest);
  dest.flushSync = () => {
    if (failing) return;
    try {
      flushSync();
    } catch {
      // The file is not open yet (start-up stopped at once, e.g. a StartupProblem): the exit
      // must still print its one line, not sonic-boom's "not ready" stack.
    }
  };
  return pino({ level, base: { service: 'haven' }, timestamp: pino.stdTimeFunctions.isoTime }, dest);
}
