import { strictEqual } from 'node:assert/strict';
import { test } from 'node:test';
import { crossesWarning, fits, formatBytes, invalidLimit, overflowMessage } from './quota-math.js';

test('formatBytes matches Harbor: bytes below 1 KiB, one decimal above', () => {
  strictEqual(formatBytes(0), '0 B');
  strictEqual(formatBytes(1023), '1023 B');
  strictEqual(formatBytes(1024), '1.0 KiB');
  strictEqual(formatBytes(1536), '1.5 KiB');
  strictEqual(formatBytes(1024 * 1024), '1.0 MiB');
  strictEqual(formatBytes(5 * 1024 ** 3 + 1024 ** 3 / 2), '5.5 GiB');
  strictEqual(formatBytes(1024 ** 5), '1.0 PiB');
});

test("overflowMessage is Harbor's ResourceOverflow text", () => {
  strictEqual(
    overflowMessage(1024 * 1024, 100, 100 + 2048),
    'adding 2.0 KiB of storage resource, which when updated to current usage of 100 B will exceed the configured upper limit of 1.0 MiB.',
  );
});

test('fits: unlimited always, limited up to and including the limit', () => {
  strictEqual(fits(-1, 10 ** 15, 10 ** 15), true);
  strictEqual(fits(100, 60, 40), true);
  strictEqual(fits(100, 60, 41), false);
  strictEqual(fits(0, 0, 1), false);
});

test('crossesWarning only on the change that reaches 85 %', () => {
  strictEqual(crossesWarning(100, 84, 85), true);
  strictEqual(crossesWarning(100, 85, 90), false);
  strictEqual(crossesWarning(100, 10, 84), false);
  strictEqual(crossesWarning(-1, 0, 10 ** 12), false);
});

test("invalidLimit follows Harbor's ValidateQuotaLimit", () => {
  strictEqual(invalidLimit(-1), null);
  strictEqual(invalidLimit(1), null);
  strictEqual(invalidLimit(1_125_899_906_842_624), null);
  strictEqual(invalidLimit(0), 'invalid non-positive value for quota limit, value=0');
  strictEqual(invalidLimit(-2), 'invalid non-positive value for quota limit, value=-2');
  strictEqual(invalidLimit(1_125_899_906_842_625), 'exceeded 1024TB, which is 1125899906842624 Bytes, value=1125899906842625');
});
