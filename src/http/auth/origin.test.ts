import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isCrossOrigin } from './origin.js';

test('a present origin must be our own; none at all (curl) passes', () => {
  const own = 'https://Haven.example.com/';
  assert.equal(isCrossOrigin({}, own), false);
  assert.equal(isCrossOrigin({ origin: 'https://haven.example.com' }, own), false);
  assert.equal(isCrossOrigin({ referer: 'https://haven.example.com/harbor/sign-in?x=1' }, own), false);
  assert.equal(isCrossOrigin({ origin: 'https://evil.example' }, own), true);
  assert.equal(isCrossOrigin({ origin: 'http://haven.example.com' }, own), true);
  assert.equal(isCrossOrigin({ origin: 'https://haven.example.com:8443' }, own), true);
  assert.equal(isCrossOrigin({ origin: 'null' }, own), true);
  assert.equal(isCrossOrigin({ referer: 'https://evil.example/page' }, own), true);
  assert.equal(isCrossOrigin({ referer: 'not a url' }, own), true);
  // Origin wins over Referer.
  assert.equal(isCrossOrigin({ origin: 'https://evil.example', referer: 'https://haven.example.com/' }, own), true);
});
