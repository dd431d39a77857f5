import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AttemptOutcome, defaultBackoff, honoursRetryAfter, isRetryable, maxRetryAfterMs, nextStep, parseRetryAfter, retryDelay, retryWait } from './backoff.js';

const low = () => 0;
const high = () => 1;
const fail500: AttemptOutcome = { kind: 'response', status: 500 };

describe('retryDelay', () => {
  const cases: Array<[number, number, number]> = [
    // attempt, least, most (ms) with the defaults: base 60 s, half jitter
    [1, 30_000, 60_000],
    [2, 60_000, 120_000],
    [3, 120_000, 240_000],
    [5, 450_000, 900_000], // capped at 15 min
    [40, 450_000, 900_000],
  ];
  for (const [attempt, least, most] of cases) {
    it(`after attempt ${attempt}: ${least}..${most} ms`, () => {
      assert.equal(retryDelay(attempt, defaultBackoff, low), least);
      assert.equal(retryDelay(attempt, defaultBackoff, high), most);
      for (let i = 0; i < 50; i++) {
        const d = retryDelay(attempt);
        assert.ok(d >= least && d <= most, `${d}`);
      }
    });
  }
  it('no jitter is exact; a wild random source stays in bounds', () => {
    assert.equal(retryDelay(2, { ...defaultBackoff, jitter: 0 }, () => 0.7), 120_000);
    assert.equal(retryDelay(1, defaultBackoff, () => 5), 60_000);
    assert.equal(retryDelay(1, defaultBackoff, () => -5), 30_000);
  });
});

describe('nextStep', () => {
  const cases: Array<{ name: string; attempt: number; outcome: AttemptOutcome; want: ReturnType<typeof nextStep> }> = [
    { name: 'delivered', attempt: 1, outcome: { kind: 'response', status: 204 }, want: { retry: false, reason: 'delivered' } },
    { name: '500 on the first attempt', attempt: 1, outcome: fail500, want: { retry: true, delayMs: 30_000 } },
    { name: '503 on the second attempt', attempt: 2, outcome: { kind: 'response', status: 503 }, want: { retry: true, delayMs: 60_000 } },
    { name: '500 on the third (Harbor\'s max) attempt', attempt: 3, outcome: fail500, want: { retry: false, reason: 'attempts exhausted' } },
    { name: 'network error', attempt: 1, outcome: { kind: 'network' }, want: { retry: true, delayMs: 30_000 } },
    { name: '404', attempt: 1, outcome: { kind: 'response', status: 404 }, want: { retry: false, reason: 'not retryable' } },
    { name: '301 (redirects are not followed)', attempt: 1, outcome: { kind: 'response', status: 301 }, want: { retry: false, reason: 'not retryable' } },
    { name: 'refused by the target guard', attempt: 1, outcome: { kind: 'refused' }, want: { retry: false, reason: 'not retryable' } },
    { name: '429 with a longer Retry-After', attempt: 1, outcome: { kind: 'response', status: 429, retryAfterMs: 300_000 }, want: { retry: true, delayMs: 300_000 } },
    { name: '429 with a shorter Retry-After', attempt: 1, outcome: { kind: 'response', status: 429, retryAfterMs: 1_000 }, want: { retry: true, delayMs: 30_000 } },
    { name: 'Retry-After beyond the cap', attempt: 1, outcome: { kind: 'response', status: 503, retryAfterMs: 86_400_000 }, want: { retry: true, delayMs: 900_000 } },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(nextStep(c.attempt, c.outcome, defaultBackoff, low), c.want));

  it('more attempts when configured', () => {
    assert.deepEqual(nextStep(3, fail500, { ...defaultBackoff, maxAttempts: 5 }, low), { retry: true, delayMs: 120_000 });
  });
  for (const bad of [0, -1, 1.5, Number.NaN]) {
    it(`refuses attempt ${bad}`, () => assert.throws(() => nextStep(bad, fail500), RangeError));
  }
});

describe('isRetryable', () => {
  const cases: Array<[number, boolean]> = [[500, true], [502, true], [408, true], [429, true], [400, false], [401, false], [403, false], [410, false]];
  for (const [status, want] of cases) it(`${status}: ${want}`, () => assert.equal(isRetryable({ kind: 'response', status }), want));
});

describe('parseRetryAfter', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const cases: Array<[string | null | undefined, number | undefined]> = [
    ['120', 120_000],
    [' 0 ', 0],
    ['Thu, 01 Jan 2026 00:01:00 GMT', 60_000],
    ['Wed, 31 Dec 2025 23:00:00 GMT', 0],
    ['-5', undefined],
    ['1.5', undefined],
    ['soon', undefined],
    ['', undefined],
    [null, undefined],
    [undefined, undefined],
  ];
  for (const [v, want] of cases) it(`${JSON.stringify(v)} -> ${want}`, () => assert.equal(parseRetryAfter(v, now), want));
});

describe('retryWait', () => {
  const cases: Array<[string, number, number | undefined, number]> = [
    ['no Retry-After: the back-off', 10_000, undefined, 10_000],
    ['a longer Retry-After wins', 10_000, 120_000, 120_000],
    ['a shorter one never hurries the back-off', 10_000, 2_000, 10_000],
    ['Retry-After: 0', 10_000, 0, 10_000],
    ['an ask beyond an hour waits an hour', 10_000, 86_400_000, maxRetryAfterMs],
    ['a back-off beyond the cap stays', 2 * maxRetryAfterMs, 60_000, 2 * maxRetryAfterMs],
  ];
  for (const [name, backoff, asked, want] of cases) it(name, () => assert.equal(retryWait(backoff, asked), want));
  it('an HTTP date parsed and capped', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    assert.equal(retryWait(1_000, parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)), 30_000);
    assert.equal(retryWait(1_000, parseRetryAfter('Fri, 02 Jan 2026 00:00:00 GMT', now)), maxRetryAfterMs);
    assert.equal(retryWait(1_000, parseRetryAfter('garbage', now)), 1_000);
  });
});

describe('honoursRetryAfter', () => {
  const cases: Array<[number, boolean]> = [[429, true], [503, true], [500, false], [502, false], [504, false], [408, false], [200, false], [301, false]];
  for (const [status, want] of cases) it(`${status}: ${want}`, () => assert.equal(honoursRetryAfter(status), want));
});
