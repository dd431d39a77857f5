import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { formatSize, parseSize } from './size.js';

test('sizes parse with binary and decimal units', () => {
  assert.equal(parseSize('512MiB'), 512 * 1024 * 1024);
  assert.equal(parseSize('1GiB'), 1024 ** 3);
  assert.equal(parseSize('10GB'), 10e9);
  assert.equal(parseSize('0'), 0);
  assert.equal(parseSize(4096), 4096);
  assert.throws(() => parseSize('lots'), /not a size/);
  assert.throws(() => parseSize(-1), /not a size/);
  assert.equal(formatSize(1536 * 1024 * 1024), '1.5 GiB');
});
