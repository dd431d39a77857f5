import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stderrProgress } from './progress.js';

/** A stand-in for process.stderr that records what is written. */
function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, write: (s: string) => writes.push(s) > 0 } as unknown as NodeJS.WriteStream };
}

test('not a terminal: a line when a phase starts and ends, none in between within the interval', () => {
  const { writes, stream } = fakeStream(false);
  const p = stderrProgress(stream, 60_000);
  p.phase('blobs', 3 * 1024 * 1024, { bytes: true });
  for (let i = 0; i < 100; i++) p.advance(1024);
  p.done();
  assert.deepEqual(writes, ['blobs: 0 B/3.0 MiB (0%)\n', 'blobs: 100.0 KiB/3.0 MiB (3%)\n']);
  assert.ok(writes.every((w) => !w.includes('\r')));
});

test('a terminal: a bar redrawn in place, ended by a newline', () => {
  const { writes, stream } = fakeStream(true);
  const p = stderrProgress(stream);
  p.phase('metadata rows', 4);
  p.advance(4);
  p.phase('blobs', 0, { bytes: true });
  p.done();
  assert.match(writes[0]!, /^\r\x1b\[2K\[\.{30}\] metadata rows: 0\/4 \(0%\)$/);
  assert.ok(writes.includes(`\r\x1b[2K[${'#'.repeat(30)}] metadata rows: 4/4 (100%)`), writes.join('|'));
  assert.equal(writes.filter((w) => w === '\n').length, 2, 'each phase ends its line');
});

test('after a second: the rate and the time left', (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 0 });
  const { writes, stream } = fakeStream(false);
  const p = stderrProgress(stream, 1000);
  p.phase('blobs', 4 * 1024 * 1024, { bytes: true });
  t.mock.timers.tick(2000);
  p.advance(2 * 1024 * 1024);
  assert.equal(writes.at(-1), 'blobs: 2.0 MiB/4.0 MiB (50%), 1.0 MiB/s, 2s left\n');
});

test('a second tally beside the bytes: blobs done of all', () => {
  const { writes, stream } = fakeStream(false);
  const p = stderrProgress(stream, 60_000);
  p.phase('blobs', 4 * 1024 * 1024, { bytes: true, count: { total: 3, noun: 'blobs' } });
  p.advance(1024 * 1024, 1);
  p.advance(3 * 1024 * 1024, 2);
  p.done();
  assert.deepEqual(writes, ['blobs: 0 B/4.0 MiB (0%), 0/3 blobs\n', 'blobs: 4.0 MiB/4.0 MiB (100%), 3/3 blobs\n']);
});
