import { Cron } from 'croner';

/** Harbor's schedule types (`ScheduleObj.type`): a preset, a custom cron, run once now, or no schedule. */
export type ScheduleType = 'Hourly' | 'Daily' | 'Weekly' | 'Custom' | 'Manual' | 'None';
export const scheduleTypes: readonly ScheduleType[] = ['Hourly', 'Daily', 'Weekly', 'Custom', 'Manual', 'None'];

/** The crons Harbor's portal sends for its presets. */
export const presetCron: Record<'Hourly' | 'Daily' | 'Weekly', string> = {
  Hourly: '0 0 * * * *',
  Daily: '0 0 0 * * *',
  Weekly: '0 0 0 * * 0',
};

/**
 * Why a cron string is not one Harbor accepts, or null: six fields (second minute hour
 * day-of-month month day-of-week), parsed as robfig/cron parses them, and a second field of 0
 * (Harbor refuses anything firing more than once a minute). Descriptors such as `@daily` are not
 * accepted, as Harbor's parser has none.
 */
export function cronProblem(cron: string): string | null {
  if (cron.length === 0) return 'empty cron string is invalid';
  const fields = cron.trim().split(/\s+/);
  if (cron.includes('@') || fields.length !== 6) return `expected exactly 6 fields, found ${fields.length}: [${fields.join(' ')}]`;
  try {
    new Cron(cron, { paused: true, timezone: 'Etc/UTC' });
  } catch (err) {
    return (err as Error).message.replace(/^CronPattern: /, '');
  }
  if (fields[0] !== '0') return 'the 1st field (indicating Seconds of time) of the cron setting must be 0';
  return null;
}

/**
 * Haven's own periodic work (the purges) runs every so many milliseconds, finer than a cron can
 * say; such a schedule keeps `@every <ms>ms` as its cron. Users cannot enter one: cronProblem
 * refuses descriptors.
 */
export function intervalCron(ms: number): string {
  return `@every ${Math.max(1, Math.round(ms))}ms`;
}

function intervalOf(cron: string): number | null {
  const m = /^@every (\d+)ms$/.exec(cron);
  return m ? Number(m[1]) : null;
}

/**
 * The first firing strictly after `after` (epoch ms), in UTC as Harbor's containers run; null when
 * the cron never fires again (a date that does not exist, such as 30 February).
 */
export function nextFire(cron: string, after: number): number | null {
  const every = intervalOf(cron);
  if (every !== null) return after + every;
  const next = new Cron(cron, { paused: true, timezone: 'Etc/UTC' }).nextRun(new Date(after));
  return next ? next.getTime() : null;
}
