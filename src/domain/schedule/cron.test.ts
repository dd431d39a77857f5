import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cronProblem, intervalCron, nextFire, presetCron } from './cron.js';

test('cronProblem accepts what Harbor accepts and names what is wrong otherwise', () => {
  for (const ok of [presetCron.Hourly, presetCron.Daily, presetCron.Weekly, '0 */5 * * * *', '0 30 2 * * 1-5', '0 0 0 1 1 *', '0 0 0 * * MON']) {
    assert.equal(cronProblem(ok), null, ok);
  }
  const bad: Array<[string, RegExp]> = [
    ['', /empty cron string/],
    ['* * * * *', /exactly 6 fields, found 5/],
    ['0 0 * * * * *', /exactly 6 fields, found 7/],
    ['@daily', /exactly 6 fields/],
    ['*/10 * * * * *', /1st field .* must be 0/],
    ['0 61 * * * *', /.+/],
    ['0 0 25 * * *', /.+/],
    ['0 0 0 * 13 *', /.+/],
    ['0 x * * * *', /.+/],
  ];
  for (const [cron, why] of bad) assert.match(cronProblem(cron) ?? 'accepted', why, JSON.stringify(cron));
});

test('nextFire is the next matching second in UTC, strictly after the given time', () => {
  const at = Date.parse('2026-12-01T19:30:00Z');
  assert.equal(new Date(nextFire(presetCron.Hourly, at)!).toISOString(), '2026-12-01T20:00:00.000Z');
  assert.equal(new Date(nextFire(presetCron.Daily, at)!).toISOString(), '2026-12-02T00:00:00.000Z');
  // 2026-12-06 is a Sunday.
  assert.equal(new Date(nextFire(presetCron.Weekly, at)!).toISOString(), '2026-12-06T00:00:00.000Z');
  const onTheHour = Date.parse('2026-12-01T20:00:00Z');
  assert.equal(new Date(nextFire(presetCron.Hourly, onTheHour)!).toISOString(), '2026-12-01T21:00:00.000Z');
  assert.equal(new Date(nextFire('0 */15 * * * *', at)!).toISOString(), '2026-12-01T19:45:00.000Z');
  assert.equal(nextFire('0 0 0 30 2 *', at), null);
});

test('Haven\'s interval schedules fire every so many milliseconds and cannot be entered by users', () => {
  assert.equal(intervalCron(300), '@every 300ms');
  assert.equal(nextFire(intervalCron(300), 1000), 1300);
  assert.match(cronProblem(intervalCron(300)) ?? '', /exactly 6 fields/);
});
