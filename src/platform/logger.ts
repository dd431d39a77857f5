import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

export function createLogger(level: LevelWithSilent, destination?: string): Logger {
  return pino(
    { level, base: { service: 'haven' }, timestamp: pino.stdTimeFunctions.isoTime },
    destination ? pino.destination({ dest: destination, sync: false, mkdir: true }) : pino.destination({ sync: false }),
  );
}
