import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventually } from './helpers/eventually.js';
import { startHaven } from './helpers/haven.js';

const forwarded = { 'X-Forwarded-For': '203.0.113.7', 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'registry.example.com' };

async function realmAndAuditIp(trust: string[]) {
  const h = await startHaven({ args: trust });
  try {
    const r = await fetch(`${h.url}/v2/`, { headers: forwarded });
    const challenge = r.headers.get('www-authenticate')!;
    const bad = await fetch(`${h.url}/api/v2.0/users/current`, { headers: { ...forwarded, Authorization: `Basic ${Buffer.from('nobody:Wrong12345').toString('base64')}` } });
    assert.equal(bad.status, 401);
    // The failed login is audited (and logged) in the background.
    const logs = await eventually(async () => {
      const logs = (await (await h.adminFetch(`${h.url}/api/v2.0/audit-logs?q=${encodeURIComponent('username=nobody')}`)).json()) as Array<{ client_ip?: string }>;
      assert.equal(logs.length, 1, 'the failed login is audited');
      return logs;
    });
    const log = await eventually(async () => {
      const log = await (await import('node:fs/promises')).readFile(`${h.dataDir}/haven.log`, 'utf8');
      assert.match(log, /"login failed"/);
      return log;
    });
    return { challenge, audited: logs.length, logLine: log.split('\n').find((l) => l.includes('"login failed"')) ?? '' };
  } finally {
    await h.cleanup();
  }
}

test('behind a trusted proxy, the realm and client IP come from X-Forwarded-* headers', async () => {
  const trusted = await realmAndAuditIp(['--trust-proxy', '127.0.0.1']);
  assert.match(trusted.challenge, /realm="https:\/\/registry\.example\.com\/service\/token"/);
  assert.equal(trusted.audited, 1);
  assert.match(trusted.logLine, /"ip":"203\.0\.113\.7"/);
});

test('without trustProxy, forwarded headers are ignored', async () => {
  const direct = await realmAndAuditIp([]);
  assert.match(direct.challenge, /realm="http:\/\/127\.0\.0\.1:\d+\/service\/token"/);
  assert.match(direct.logLine, /"ip":"127\.0\.0\.1"/);
});
