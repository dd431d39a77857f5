import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AttemptResult, maxQuotedBody, nextLine, requestLine, resultLine, startLine } from './delivery-log.js';

describe('delivery log lines', () => {
  it("words the start and the request as Harbor's jobs", () => {
    assert.equal(startLine('WEBHOOK'), 'start to run webhook job');
    assert.equal(startLine('SLACK'), 'start to run slack job');
    assert.equal(requestLine('{"a":1}'), 'send request to remote endpoint, body: {"a":1}');
  });

  const cases: Array<[string, AttemptResult, string]> = [
    ['success', { kind: 'response', status: 200, body: 'ok', durationMs: 12 }, 'success to run webhook job (200 in 12 ms)'],
    ['a 500', { kind: 'response', status: 500, body: 'boom', durationMs: 40 }, 'exit webhook job, error: abnormal response code: 500, body: boom (in 40 ms)'],
    ['a timeout', { kind: 'network', message: 'timeout after 3000 ms', durationMs: 3001 }, 'exit webhook job, error: error to send request: timeout after 3000 ms (after 3001 ms)'],
    ['a refusal', { kind: 'refused', message: 'webhook target 127.0.0.1 is a loopback address' }, 'exit webhook job, error: target refused: webhook target 127.0.0.1 is a loopback address'],
  ];
  for (const [name, r, want] of cases) it(name, () => assert.equal(resultLine('WEBHOOK', r), want));

  it('quotes a long answer only in part', () => {
    const line = resultLine('SLACK', { kind: 'response', status: 400, body: 'x'.repeat(5000), durationMs: 1 });
    assert.ok(line.startsWith('exit slack job, error: abnormal response code: 400, body: xxx'));
    assert.ok(line.includes(`… (5000 characters)`));
    assert.ok(line.length < maxQuotedBody + 200);
  });

  it('says what happens next', () => {
    assert.equal(nextLine({ retry: true, delayMs: 45_400 }, 1, 3), 'attempt 1 of 3 failed; retrying in 45 s');
    assert.equal(nextLine({ retry: true, delayMs: 120_000 }, 1, 3, '120'), 'attempt 1 of 3 failed; retrying in 120 s (the receiver asked for Retry-After: 120)');
    assert.equal(nextLine({ retry: false, reason: 'attempts exhausted' }, 3, 3), 'attempt 3 of 3 failed; giving up');
    assert.equal(nextLine({ retry: false, reason: 'delivered' }, 2, 3), 'delivered on attempt 2');
    assert.match(nextLine({ retry: false, reason: 'not retryable' }, 1, 3), /cannot fix; giving up/);
  });
});
