import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSealer, deriveBoxKey, isSealed, open, seal, SecretBoxError, secretKeyText } from './secret-box.js';

const key = deriveBoxKey(Buffer.from('a'.repeat(32)));
const pem = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n';

const refused = (reason: SecretBoxError['reason']) => (err: unknown) => err instanceof SecretBoxError && err.reason === reason;

test('a sealed value opens with the same key and context, in the versioned text format', () => {
  const sealed = seal(key, pem, 'shared_keys/token-signing-key');
  assert.match(sealed, /^enc:v1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+:[A-Za-z0-9_-]{22}$/);
  assert.ok(!sealed.includes('PRIVATE KEY'));
  assert.equal(open(key, sealed, 'shared_keys/token-signing-key'), pem);
  assert.equal(open(key, seal(key, ''), ''), '', 'an empty value round-trips');
  assert.equal(open(key, seal(key, 'é ✓ 🔑')), 'é ✓ 🔑');
  assert.notEqual(seal(key, pem), seal(key, pem), 'a fresh IV each time');
});

test('the key is derived from the secret: the same secret gives the same key, another one another', () => {
  assert.deepEqual(deriveBoxKey(Buffer.from('a'.repeat(32))), key);
  assert.equal(key.length, 32);
  assert.notDeepEqual(deriveBoxKey(Buffer.from('b'.repeat(32))), key);
  assert.notDeepEqual(key, Buffer.from('a'.repeat(32)), 'the secret itself is not the key');
});

test('a wrong key, another context or an altered value is refused', () => {
  const sealed = seal(key, pem, 'ctx');
  assert.throws(() => open(deriveBoxKey(Buffer.from('b'.repeat(32))), sealed, 'ctx'), refused('wrong-key-or-altered'));
  assert.throws(() => open(key, sealed, 'other'), refused('wrong-key-or-altered'));
  const [, , iv, ct, tag] = sealed.split(':') as [string, string, string, string, string];
  const flip = (part: string) => {
    const b = Buffer.from(part, 'base64url');
    b[0]! ^= 1;
    return b.toString('base64url');
  };
  assert.throws(() => open(key, `enc:v1:${iv}:${flip(ct)}:${tag}`, 'ctx'), refused('wrong-key-or-altered'));
  assert.throws(() => open(key, `enc:v1:${flip(iv)}:${ct}:${tag}`, 'ctx'), refused('wrong-key-or-altered'));
  assert.throws(() => open(key, `enc:v1:${iv}:${ct}:${flip(tag)}`, 'ctx'), refused('wrong-key-or-altered'));
  assert.throws(() => open(key, `enc:v1:${iv}:${ct.slice(0, -2)}:${tag}`, 'ctx'), refused('wrong-key-or-altered'), 'truncated ciphertext');
  assert.throws(() => open(key, `enc:v1:${iv}:${ct}:${tag.slice(0, 10)}`, 'ctx'), refused('malformed'), 'a short tag is never accepted');
  assert.throws(() => open(key, `enc:v1:${iv}:${ct}`, 'ctx'), refused('malformed'));
  assert.throws(() => open(key, 'enc:v9:abc', 'ctx'), refused('unknown-version'));
  assert.throws(() => open(key, pem), refused('malformed'));
});

test('plain values are recognised as plain', () => {
  assert.equal(isSealed(pem), false);
  assert.equal(isSealed('9f'.repeat(32)), false);
  assert.equal(isSealed('encrypted-looking'), false);
  assert.equal(isSealed(seal(key, pem)), true);
  assert.equal(isSealed('enc:v2:future'), true);
});

test('a sealer with a key seals and opens, and passes plain values through for sealing in place', () => {
  const sealer = createSealer(Buffer.from('a'.repeat(32)));
  assert.equal(sealer.enabled, true);
  const sealed = sealer.seal(pem, 'x');
  assert.ok(isSealed(sealed));
  assert.equal(sealer.open(sealed, 'x'), pem);
  assert.equal(open(key, sealed, 'x'), pem, 'the sealer uses the derived key');
  assert.equal(sealer.open(pem, 'x'), pem);
  assert.equal(sealer.needsSealing(pem), true);
  assert.equal(sealer.needsSealing(sealed), false);
  assert.throws(() => createSealer(Buffer.from('b'.repeat(32))).open(sealed, 'x'), refused('wrong-key-or-altered'));
});

test('a sealer without a key keeps values plain and refuses sealed ones', () => {
  const sealer = createSealer(null);
  assert.equal(sealer.enabled, false);
  assert.equal(sealer.seal(pem), pem);
  assert.equal(sealer.open(pem), pem);
  assert.equal(sealer.needsSealing(pem), false);
  assert.throws(() => sealer.open(seal(key, pem)), refused('no-key'));
});

test('a final line break of a configured secret is not part of it', () => {
  assert.deepEqual(secretKeyText(Buffer.from('k'.repeat(32) + '\n')), Buffer.from('k'.repeat(32)));
  assert.deepEqual(secretKeyText(Buffer.from('k'.repeat(32) + '\r\n')), Buffer.from('k'.repeat(32)));
  assert.deepEqual(secretKeyText(Buffer.from('k'.repeat(32) + '\n\n')), Buffer.from('k'.repeat(32) + '\n'), 'only one');
  assert.deepEqual(secretKeyText(Buffer.from(' k ')), Buffer.from(' k '), 'spaces are key bytes');
});
