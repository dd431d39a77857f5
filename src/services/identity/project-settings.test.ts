import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../../platform/errors.js';
import { checkProjectSettings, metadataValue } from './project-settings.js';

const refused = (fn: () => unknown, message: RegExp) =>
  assert.throws(fn, (e: unknown) => e instanceof AppError && e.status === 400 && message.test(e.message));

test("booleans take Go's ParseBool spellings and are stored as true/false", () => {
  for (const v of ['1', 't', 'T', 'TRUE', 'true', 'True']) assert.equal(metadataValue('auto_scan', v), 'true', v);
  for (const v of ['0', 'f', 'F', 'FALSE', 'false', 'False']) assert.equal(metadataValue('public', v), 'false', v);
  for (const v of ['yes', '', ' true', 'tRuE', '2']) refused(() => metadataValue('prevent_vul', v), /must be "true" or "false"/);
});

test('severities are CVSS v3 ratings in lower case; negligible is none', () => {
  assert.equal(metadataValue('severity', 'Critical'), 'critical');
  assert.equal(metadataValue('severity', 'NEGLIGIBLE'), 'none');
  assert.equal(metadataValue('severity', 'low'), 'low');
  refused(() => metadataValue('severity', 'unknown'), /severity must be one of/);
});

test('keys of features Haven lacks, and unknown keys, are refused', () => {
  refused(() => metadataValue('proxy_speed_kb', '10'), /not supported.*proxy cache/);
  refused(() => metadataValue('retention_id', '1'), /not supported.*retention/);
  refused(() => metadataValue('__proto__', 'x'), /unknown project metadata key/);
});

test('checkProjectSettings rewrites metadata in place, in Harbor spelling', () => {
  const req = { metadata: { public: 'True', severity: 'HIGH', enable_content_trust_cosign: '0' } };
  checkProjectSettings(req);
  assert.deepEqual(req.metadata, { public: 'true', severity: 'high', enable_content_trust_cosign: 'false' });
});
