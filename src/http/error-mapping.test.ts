import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../platform/errors.js';
import { errorArea, installErrorMapping } from './error-mapping.js';

const sqlite = new Database(':memory:');
sqlite.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT UNIQUE)');
const insertUser = sqlite.prepare('INSERT INTO users (name) VALUES (?)');

const app = Fastify({ logger: false });
app.setValidatorCompiler(validatorCompiler);
installErrorMapping(app);
const failures: Record<string, () => Error> = {
  denied: () => new AppError('DENIED', 'not yours', { detail: { why: 'test' } }),
  range: () => new AppError('RANGE_INVALID', 'bad range', { headers: { Range: '0-9' } }),
  bug: () => new Error('secret internals'),
  grant: () => new AppError('UNSUPPORTED_GRANT_TYPE', 'only grant_type=password is supported'),
};
// One route per area; ?fail= says what it throws.
for (const path of ['/v2/x', '/service/token', '/api/v2.0/x']) {
  app.get<{ Querystring: { fail: string } }>(path, async (req) => {
    throw failures[req.query.fail]!();
  });
}
app.post('/api/v2.0/users', async () => {
  insertUser.run('twin');
  insertUser.run('twin');
});
app.post('/api/v2.0/projects', { schema: { body: z.object({ project_name: z.string().min(1), storage_limit: z.number().int().optional() }) } }, async () => ({ created: true }));
after(() => app.close());

const call = async (method: 'GET' | 'POST' | 'HEAD', url: string, payload?: unknown) => {
  const r = await app.inject({ method, url, ...(payload !== undefined ? { payload: payload as object } : {}) });
  return { status: r.statusCode, headers: r.headers, body: r.body ? JSON.parse(r.body) : null, raw: r.body };
};

test('the area is the path: /v2 the registry, /service/token the token service, everything else Harbor', () => {
  assert.equal(errorArea('/v2/'), 'registry');
  assert.equal(errorArea('/v2'), 'registry');
  assert.equal(errorArea('/v2/library/x/manifests/latest?n=1'), 'registry');
  assert.equal(errorArea('/service/token?scope=x'), 'token');
  assert.equal(errorArea('/api/v2.0/projects'), 'api');
  assert.equal(errorArea('/c/login'), 'api');
  assert.equal(errorArea('/v20'), 'api');
  assert.equal(errorArea('/service/tokens'), 'api');
});

test('an AppError: the OCI envelope (code, detail) under /v2, Harbor\'s status-named code elsewhere; headers kept', async () => {
  assert.deepEqual((await call('GET', '/v2/x?fail=denied')).body, { errors: [{ code: 'DENIED', message: 'not yours', detail: { why: 'test' } }] });
  for (const p of ['/service/token', '/api/v2.0/x']) {
    const r = await call('GET', `${p}?fail=denied`);
    assert.equal(r.status, 403);
    // Harbor keeps DENIED as it is (its middlewares' code, read-only mode's); other codes are named after the status.
    assert.deepEqual(r.body, { errors: [{ code: 'DENIED', message: 'not yours' }] });
  }
  const range = await call('GET', '/v2/x?fail=range');
  assert.equal(range.status, 416);
  assert.equal(range.headers.range, '0-9');
  assert.equal(range.body.errors[0].code, 'BLOB_UPLOAD_INVALID');
  assert.equal((await call('GET', '/api/v2.0/x?fail=range')).body.errors[0].code, 'REQUESTED_RANGE_NOT_SATISFIABLE');
});

test('the OAuth2 error form only on the token service', async () => {
  const r = await call('GET', '/service/token?fail=grant');
  assert.equal(r.status, 400);
  assert.deepEqual(r.body, { error: 'unsupported_grant_type', error_description: 'only grant_type=password is supported' });
  assert.equal((await call('GET', '/api/v2.0/x?fail=grant')).body.errors[0].code, 'BAD_REQUEST');
});

test('an unexpected error is a 500 that tells nothing: UNKNOWN under /v2 and Harbor alike', async () => {
  for (const p of ['/v2/x', '/service/token', '/api/v2.0/x']) {
    const r = await call('GET', `${p}?fail=bug`);
    assert.equal(r.status, 500);
    assert.deepEqual(r.body, { errors: [{ code: 'UNKNOWN', message: 'internal server error' }] });
    assert.doesNotMatch(r.raw, /secret/);
  }
});

test('a real SQLite unique violation escaping a handler is 409 CONFLICT, not 500', async () => {
  const r = await call('POST', '/api/v2.0/users', {});
  assert.equal(r.status, 409);
  assert.deepEqual(r.body, { errors: [{ code: 'CONFLICT', message: 'a resource with the same name or key already exists' }] });
});

test('a zod schema\'s refusal is Harbor\'s 400 BAD_REQUEST naming the fields', async () => {
  const r = await call('POST', '/api/v2.0/projects', { storage_limit: 1.5 });
  assert.equal(r.status, 400);
  assert.equal(r.body.errors.length, 1);
  assert.equal(r.body.errors[0].code, 'BAD_REQUEST');
  const message: string = r.body.errors[0].message;
  assert.match(message, /^project_name: .*expected string/);
  assert.match(message, /; storage_limit: .*int/);
  assert.equal((await call('POST', '/api/v2.0/projects', { project_name: 'p' })).status, 200);
});

test('unknown routes: 404 NOT_FOUND in every area; a HEAD gets the status without a body', async () => {
  for (const url of ['/v2/x/nothing', '/api/v2.0/nothing', '/nothing']) {
    const r = await call('GET', url);
    assert.equal(r.status, 404);
    assert.deepEqual(r.body, { errors: [{ code: 'NOT_FOUND', message: `GET ${url} not found` }] });
  }
  const head = await app.inject({ method: 'HEAD', url: '/v2/x?fail=denied' });
  assert.equal(head.statusCode, 403);
  assert.equal(head.body, '');
});
