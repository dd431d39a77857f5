import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configHelp, configOptionLines } from './help.js';
import { loadConfig } from './load.js';
import { configKeys } from './schema.js';

test('every config key has a description in the schema, shown with its flag, default and variable', () => {
  const help = configHelp();
  assert.deepEqual(help.map((h) => h.key), [...configKeys]);
  for (const h of help) assert.ok(h.description.length > 10, `${h.key} has no .describe() in src/config/schema.ts`);
  const lines = configOptionLines();
  for (const h of help) assert.ok(lines.includes(`--${h.flag} <value>`) && lines.includes(h.description) && lines.includes(`env ${h.env}`), h.key);
});

test('help shows defaults as they are written: durations in their unit, the listen address as is', () => {
  const byKey = Object.fromEntries(configHelp().map((h) => [h.key, h.defaultText]));
  assert.equal(byKey.listen, '0.0.0.0:5000');
  assert.equal(byKey['auth.tokenTtl'], '30m');
  assert.equal(byKey['uploads.purgeInterval'], '1h');
  assert.equal(byKey['audit.retentionDays'], '180');
  assert.equal(byKey.adminPassword, '');
  // Each shown default, given back as a value, is the default.
  const flags = Object.fromEntries(configHelp().filter((h) => h.defaultText !== '').map((h) => [h.flag, h.defaultText]));
  assert.deepEqual(loadConfig({ file: '/dev/null', env: {}, flags }), loadConfig({ file: '/dev/null', env: {} }));
});
