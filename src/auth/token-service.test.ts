import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { importPKCS8, SignJWT } from 'jose';
import { createTokenService } from './token-service.js';

const opts = { issuer: 'haven-token-issuer', service: 'haven', ttlSeconds: 1800 };
const access = [{ type: 'repository', name: 'p/app', actions: ['pull'] }];
const bound = { principal: { kind: 'user' as const, id: 7 }, projects: { p: 3 } };
const newKey = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
/** This issuer's key (where it is kept is key-files.ts's concern). */
const key = newKey();
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

test('a token it issued verifies, with subject, access and expiry', async () => {
  const s = await createTokenService(key, opts);
  const { token, expiresIn } = await s.issue('alice', access, bound);
  assert.equal(expiresIn, 1800);
  const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString());
  assert.equal(header.alg, 'ES256');
  assert.ok(header.kid);
  const claims = await s.verify(token);
  assert.equal(claims?.subject, 'alice');
  assert.deepEqual(claims?.access, access);
  assert.deepEqual({ ...claims?.bound, projects: { ...claims?.bound.projects } }, bound);
  assert.ok(claims!.expiresAt > Date.now() + 1700_000);
});

test('a service made again from the same key honours the tokens of the first (a restart, another instance)', async () => {
  const a = await createTokenService(key, opts);
  const { token } = await a.issue('bob', access, bound);
  const b = await createTokenService(key, opts);
  assert.equal((await b.verify(token))?.subject, 'bob');
});

test('forged, expired, foreign and alg-confused tokens are rejected', async () => {
  const s = await createTokenService(key, opts);
  const { token } = await s.issue('alice', access, bound);
  const [h, p, sig] = token.split('.') as [string, string, string];
  const payload = JSON.parse(Buffer.from(p, 'base64url').toString());

  // Payload tampering (more access) with the old signature.
  const escalated = b64({ ...payload, access: [{ type: 'repository', name: 'other/x', actions: ['push'] }] });
  assert.equal(await s.verify(`${h}.${escalated}.${sig}`), null);
  // alg: none
  assert.equal(await s.verify(`${b64({ alg: 'none', typ: 'JWT' })}.${p}.`), null);
  // HS256 signed with the public key material (the classic key-confusion attack).
  const pem = Buffer.from(key);
  const hsHeader = b64({ alg: 'HS256', typ: 'JWT' });
  const hsSig = createHmac('sha256', pem).update(`${hsHeader}.${p}`).digest('base64url');
  assert.equal(await s.verify(`${hsHeader}.${p}.${hsSig}`), null);
  // Another issuer's key.
  const other = await createTokenService(newKey(), opts);
  assert.equal(await s.verify((await other.issue('alice', access, bound)).token), null);
  // Wrong audience, and expired.
  const otherService = await createTokenService(key, { ...opts, service: 'not-haven' });
  assert.equal(await s.verify((await otherService.issue('alice', access, bound)).token), null);
  const old = await s.issue('alice', access, bound, Date.now() - 3600_000);
  assert.equal(await s.verify(old.token), null);
  // Garbage.
  for (const junk of ['', 'a.b.c', 'not a token', `${h}.${p}`]) assert.equal(await s.verify(junk), null);
});

test('a token signed by the real key but without a binding (user and project ids) is refused', async () => {
  const s = await createTokenService(key, opts);
  const signingKey = await importPKCS8(key, 'ES256');
  const now = Math.floor(Date.now() / 1000);
  const sign = (claims: Record<string, unknown>) =>
    new SignJWT({ access, ...claims })
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer(opts.issuer)
      .setAudience(opts.service)
      .setSubject('alice')
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(signingKey);
  assert.equal(await s.verify(await sign({})), null);
  assert.equal(await s.verify(await sign({ haven_bind: { principal: { kind: 'user', id: 'x' }, projects: {} } })), null);
  assert.equal(await s.verify(await sign({ haven_bind: { principal: null, projects: { p: '3' } } })), null);
  assert.ok(await s.verify(await sign({ haven_bind: { principal: null, projects: { p: 3 } } })));
});
