import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { checkTarget, pinnedLookup, type Resolver, refusedRange, TargetRefusedError } from './target-guard.js';

describe('refusedRange', () => {
  const cases: Array<[string, string | null]> = [
    ['8.8.8.8', null],
    ['1.1.1.1', null],
    ['2606:4700:4700::1111', null],
    ['::ffff:8.8.8.8', null],
    ['64:ff9b::808:808', null], // NAT64 of 8.8.8.8
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['fe80::1', 'linkLocal'],
    ['fc00::1', 'uniqueLocal'],
    ['fd00:ec2::254', 'uniqueLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['192.0.2.1', 'reserved'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'linkLocal'],
    ['64:ff9b::7f00:1', 'loopback'], // NAT64 of 127.0.0.1
    ['64:ff9b:1::a00:1', 'rfc6052'], // local-use NAT64 prefix
    ['::7f00:1', 'ipv4Compatible'],
    ['2002:a00:1::', '6to4'],
    ['2001::1', 'teredo'],
  ];
  for (const [ip, want] of cases) it(`${ip}: ${want ?? 'allowed'}`, () => assert.equal(refusedRange(ip), want));
});

const fixed =
  (answers: Record<string, string[]>): Resolver =>
  async (host) =>
    (answers[host] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

const refused = (pattern: RegExp) => (e: unknown) => e instanceof TargetRefusedError && e.code === 'BAD_REQUEST' && pattern.test(e.message);

describe('checkTarget', () => {
  const resolve = fixed({
    'hooks.example.com': ['93.184.216.34', '2606:2800:220:1::1'],
    'rebind.example.com': ['93.184.216.34', '10.0.0.5'],
    'metadata.example.com': ['169.254.169.254'],
    'v6only.example.com': ['2606:2800:220:1::1'],
  });
  const deny = { allowPrivateTargets: false, resolve };
  const allow = { allowPrivateTargets: true, resolve };

  it('passes a public host and pins its first address', async () => {
    const t = await checkTarget('https://hooks.example.com:8443/x?y=1', deny);
    assert.equal(t.hostname, 'hooks.example.com');
    assert.equal(t.address, '93.184.216.34');
    assert.equal(t.family, 4);
    assert.equal(t.url.href, 'https://hooks.example.com:8443/x?y=1');
    assert.equal((await checkTarget('http://v6only.example.com/', deny)).family, 6);
  });

  it('passes a public literal without asking the resolver', async () => {
    const t = await checkTarget('http://[2606:4700::1111]:80/h', { allowPrivateTargets: false, resolve: async () => assert.fail('resolved a literal') });
    assert.deepEqual([t.hostname, t.address, t.family], ['2606:4700::1111', '2606:4700::1111', 6]);
  });

  const refusals: Array<[string, string, RegExp]> = [
    ['loopback literal', 'http://127.0.0.1:8080/', /127\.0\.0\.1 is a loopback address/],
    ['decimal loopback', 'http://2130706433/', /127\.0\.0\.1 is a loopback address/],
    ['hex loopback', 'http://0x7f.1/', /127\.0\.0\.1 is a loopback address/],
    ['IPv6 loopback', 'http://[::1]/', /::1 is a loopback address/],
    ['mapped loopback', 'http://[::ffff:127.0.0.1]/', /loopback/],
    ['metadata service by name', 'http://metadata.example.com/latest/meta-data', /resolves to 169\.254\.169\.254, which is a linkLocal address/],
    ['a name with one private address among public ones', 'https://rebind.example.com/', /resolves to 10\.0\.0\.5, which is a private address/],
    ['a name that resolves to nothing', 'https://nowhere.example.com/', /resolves to no address/],
    ['CGNAT', 'http://100.100.100.200/', /carrierGradeNat/],
    ['unspecified', 'http://0.0.0.0:9000/', /unspecified/],
    ['ftp', 'ftp://hooks.example.com/', /scheme ftp is not allowed/],
    ['file', 'file:///etc/passwd', /scheme file is not allowed/],
    ['not a URL', 'hooks.example.com/x', /is not a URL/],
  ];
  for (const [name, url, pattern] of refusals) {
    it(`refuses ${name}`, async () => {
      await assert.rejects(checkTarget(url, deny), refused(pattern));
    });
  }

  it('allowPrivateTargets lets private addresses through, never other schemes', async () => {
    assert.equal((await checkTarget('http://127.0.0.1:8080/', allow)).address, '127.0.0.1');
    assert.equal((await checkTarget('http://metadata.example.com/', allow)).address, '169.254.169.254');
    await assert.rejects(checkTarget('gopher://127.0.0.1/', allow), refused(/scheme gopher/));
    await assert.rejects(checkTarget('http://nowhere.example.com/', allow), refused(/no address/));
  });

  it('passes resolver failures through (they may be transient)', async () => {
    const err = Object.assign(new Error('getaddrinfo EAI_AGAIN x'), { code: 'EAI_AGAIN' });
    await assert.rejects(
      checkTarget('http://x.example/', { allowPrivateTargets: false, resolve: async () => Promise.reject(err) }),
      (e: unknown) => e === err,
    );
  });

  it('refuses localhost through the system resolver', async () => {
    await assert.rejects(checkTarget('http://localhost:8080/hook', { allowPrivateTargets: false }), refused(/host localhost resolves to (127\.0\.0\.1|::1), which is a loopback address/));
  });
});

describe('pinnedLookup', () => {
  it('answers both lookup forms with the checked address', () => {
    const lookup = pinnedLookup({ address: '192.0.2.7', family: 4 });
    lookup('anything.example', {}, (err, address, family) => assert.deepEqual([err, address, family], [null, '192.0.2.7', 4]));
    lookup('anything.example', { all: true }, (err, list) => assert.deepEqual([err, list], [null, [{ address: '192.0.2.7', family: 4 }]]));
  });

  it('makes http.request connect to the checked address whatever the host name says', async () => {
    const server = http.createServer((req, res) => res.end(req.headers.host));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      const t = await checkTarget(`http://hooks.invalid:${port}/`, { allowPrivateTargets: true, resolve: fixed({ 'hooks.invalid': ['127.0.0.1'] }) });
      const host = await new Promise<string>((resolve, reject) => {
        const req = http.request(t.url, { lookup: pinnedLookup(t) }, (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve(body));
        });
        req.on('error', reject);
        req.end();
      });
      assert.equal(host, `hooks.invalid:${port}`);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
