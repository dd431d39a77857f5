import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { installErrorMapping } from '../error-mapping.js';
import { acceptEmptyJsonBodies, installSchemas } from './route-shape.js';
import { jsonBody, listQuery, noContent } from './schemas/common.js';

const thing = z.strictObject({ id: z.number().int(), name: z.string() });

/** A scope shaped like the API's, with routes that answer right and wrong. */
async function app() {
  const f = Fastify({ logger: false });
  installErrorMapping(f);
  await f.register(async (scope) => {
    installSchemas(scope);
    acceptEmptyJsonBodies(scope);
    const routes: FastifyPluginAsyncZod = async (r) => {
      r.get('/right', { schema: { response: { 200: thing } } }, async () => ({ id: 1, name: 'a' }));
      // Handlers typed loosely on purpose: the schema must catch what the types would.
      r.get('/extra', { schema: { response: { 200: thing } } }, async () => ({ id: 1, name: 'a', secret: 'x' }) as never);
      r.get('/missing', { schema: { response: { 200: thing } } }, async () => ({ id: 1 }) as never);
      r.get('/list', { schema: { querystring: listQuery } }, async (req) => req.query);
      r.post('/things', { schema: { body: jsonBody(z.object({ name: z.string() })), response: { 201: noContent } } }, async (_req, reply) => {
        reply.code(201).send();
      });
      r.delete('/things/:id', { schema: { params: z.object({ id: z.string() }), response: { 200: noContent } } }, async (_req, reply) => {
        reply.code(200).send();
      });
    };
    await scope.register(routes);
  });
  return f;
}

test('a response that does not match its schema is a 500, never sent', async () => {
  const f = await app();
  assert.deepEqual((await f.inject('/right')).json(), { id: 1, name: 'a' });
  for (const path of ['/extra', '/missing']) {
    const r = await f.inject(path);
    assert.equal(r.statusCode, 500, path);
    assert.doesNotMatch(r.body, /secret|"x"/);
    assert.equal(r.json().errors[0].code, 'UNKNOWN');
  }
});

test('query and body are parsed by their schemas; a mismatch is a 400 naming the field', async () => {
  const f = await app();
  assert.deepEqual((await f.inject('/list?q=name%3Da')).json(), { page: 1, page_size: 10, q: 'name=a' });
  assert.deepEqual((await f.inject('/list?page=&page_size=100')).json(), { page: 1, page_size: 100 });
  for (const [qs, field] of [['page=0', 'page'], ['page_size=101', 'page_size'], ['page_size=-1', 'page_size'], ['page=1.5', 'page']]) {
    const r = await f.inject(`/list?${qs}`);
    assert.equal(r.statusCode, 400, qs);
    assert.match(r.json().errors[0].message, new RegExp(`^${field}: `), qs);
  }
  const bad = await f.inject({ method: 'POST', url: '/things', payload: { name: 5 } });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.json().errors[0].message, /^name: /);
  // No body at all reads as {}: the missing field is named, not "body".
  const none = await f.inject({ method: 'POST', url: '/things', headers: { 'content-type': 'application/json' } });
  assert.equal(none.statusCode, 400);
  assert.match(none.json().errors[0].message, /^name: /);
  assert.equal((await f.inject({ method: 'POST', url: '/things', payload: { name: 'a' } })).statusCode, 201);
});

test('application/json with an empty body is no body; malformed JSON is still a 400', async () => {
  const f = await app();
  for (const payload of ['', '  \n']) {
    const r = await f.inject({ method: 'DELETE', url: '/things/1', headers: { 'content-type': 'application/json' }, payload });
    assert.equal(r.statusCode, 200, JSON.stringify(payload));
    assert.equal(r.body, '');
  }
  const bad = await f.inject({ method: 'POST', url: '/things', headers: { 'content-type': 'application/json' }, payload: '{bad' });
  assert.equal(bad.statusCode, 400);
  const poisoned = await f.inject({ method: 'POST', url: '/things', headers: { 'content-type': 'application/json' }, payload: '{"name":"a","__proto__":{"x":1}}' });
  assert.equal(poisoned.statusCode, 400);
});
