import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { csrfKey, signingKeyPem } from './key-files.js';

const none = { signingKey: '', signingKeyFile: '', csrfKey: '', csrfKeyFile: '' };
const fresh = () => mkdtempSync(join(tmpdir(), 'haven-keyfiles-'));

test('without configuration, keys are made once in the data dir (0600) and kept', async () => {
  const dir = fresh();
  const pem = await signingKeyPem(none, dir);
  assert.match(pem, /^-----BEGIN PRIVATE KEY-----/);
  assert.equal(await signingKeyPem(none, dir), pem);
  assert.equal(statSync(join(dir, 'token-signing-key.pem')).mode & 0o777, 0o600);
  const csrf = await csrfKey(none, dir);
  assert.equal(csrf.length, 32);
  assert.deepEqual(await csrfKey(none, dir), csrf);
});

test('configured keys win over the data dir, inline or from a file, and nothing is written', async () => {
  const dir = fresh();
  const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const file = join(dir, 'given.pem');
  writeFileSync(file, pem);
  assert.equal(await signingKeyPem({ ...none, signingKey: pem }, dir), pem);
  assert.equal(await signingKeyPem({ ...none, signingKeyFile: file }, dir), pem);
  assert.equal((await csrfKey({ ...none, csrfKey: 'k'.repeat(40) }, dir)).toString(), 'k'.repeat(40));
  writeFileSync(join(dir, 'csrf.bin'), Buffer.alloc(48, 7));
  assert.deepEqual(await csrfKey({ ...none, csrfKeyFile: join(dir, 'csrf.bin') }, dir), Buffer.alloc(48, 7));
  assert.throws(() => readFileSync(join(dir, 'token-signing-key.pem')), /ENOENT/);
  assert.throws(() => readFileSync(join(dir, 'csrf-key')), /ENOENT/);
});
