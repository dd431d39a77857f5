import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createSharedKeyStore } from '../db/shared-keys.js';
import { openTestDatabase } from '../db/test-database.js';
import { csrfKey, signingKeyPem } from './key-files.js';

const none = { signingKey: '', signingKeyFile: '', csrfKey: '', csrfKeyFile: '' };
const fresh = () => mkdtempSync(join(tmpdir(), 'haven-keyfiles-'));
const store = async () => createSharedKeyStore((await openTestDatabase()).db);

test('without configuration, keys are made once in the database and every instance on it reads the same', async () => {
  const keys = await store();
  const [pem, again] = await Promise.all([signingKeyPem(none, keys, fresh()), signingKeyPem(none, keys, fresh())]);
  assert.match(pem, /^-----BEGIN PRIVATE KEY-----/);
  assert.equal(again, pem);
  assert.equal(await signingKeyPem(none, keys, fresh()), pem);
  const csrf = await csrfKey(none, keys, fresh());
  assert.equal(csrf.length, 32);
  assert.deepEqual(await csrfKey(none, keys, fresh()), csrf);
  const other = await store();
  assert.notEqual(await signingKeyPem(none, other, fresh()), pem, 'another database has its own key');
});

test('keys an installation kept in its data dir move into the database, so its tokens stay valid', async () => {
  const dir = fresh();
  const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  writeFileSync(join(dir, 'token-signing-key.pem'), pem);
  writeFileSync(join(dir, 'csrf-key'), Buffer.alloc(32, 9));
  const keys = await store();
  assert.equal(await signingKeyPem(none, keys, dir), pem);
  assert.deepEqual(await csrfKey(none, keys, dir), Buffer.alloc(32, 9));
  assert.equal(await signingKeyPem(none, keys, fresh()), pem, 'another instance reads it from the database');
});

test('configured keys win over the database, inline or from a file, and nothing is stored', async () => {
  const dir = fresh();
  const keys = await store();
  const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const file = join(dir, 'given.pem');
  writeFileSync(file, pem);
  assert.equal(await signingKeyPem({ ...none, signingKey: pem }, keys, dir), pem);
  assert.equal(await signingKeyPem({ ...none, signingKeyFile: file }, keys, dir), pem);
  assert.equal((await csrfKey({ ...none, csrfKey: 'k'.repeat(40) }, keys, dir)).toString(), 'k'.repeat(40));
  writeFileSync(join(dir, 'csrf.bin'), Buffer.alloc(48, 7));
  assert.deepEqual(await csrfKey({ ...none, csrfKeyFile: join(dir, 'csrf.bin') }, keys, dir), Buffer.alloc(48, 7));
  assert.throws(() => readFileSync(join(dir, 'token-signing-key.pem')), /ENOENT/);
  assert.notEqual(await signingKeyPem(none, keys, dir), pem, 'the configured key was not stored');
});
