// What /v2 tells callers who cannot see a project (issue 7, F8): an existing private project and
// a missing one answer alike, in status, error code, body and headers, for anonymous callers,
// logged-in non-members and their tokens; a push to a missing project still says NAME_UNKNOWN to
// whoever is logged in. And the token realm never carries a Host header as sent (F9).
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { before, describe, test } from 'node:test';
import { apiClient, basic, type Creds } from './helpers/api-client.js';
import { useHaven, type RunningHaven } from './helpers/haven.js';
import { asAdmin, imageManifest, pushImage } from './helpers/oci.js';

let h: RunningHaven;
let client: ReturnType<typeof apiClient>;
useHaven({ args: ['--trust-proxy', 'true'] }, (x) => {
  h = x;
  client = apiClient(h);
});

const outsider: Creds = { username: 'outsider', password: 'Outsider123' };
// Same length, so a body naming the repository has the same Content-Length for both.
const hidden = 'hidden';
const missing = 'nosuch';

interface Seen {
  status: number;
  code: string;
  body: string;
  headers: string;
}

describe('F8: a private project the caller cannot see looks exactly like a missing one', () => {
  let digest = '';
  let manifestDigest = '';

  before(async () => {
    const u = await client.api('POST', '/users', { body: { username: outsider.username, password: outsider.password, email: 'outsider@example.com' } });
    assert.equal(u.status, 201, u.text);
    await h.createProject(hidden, false);
    await h.createProject('open', true);
    const img = await pushImage(asAdmin(h), `${hidden}/app`, 'v1');
    digest = img.layers[0]!.digest;
    manifestDigest = img.digest;
  });

  /** One request as a caller, reduced to what it shows, with the project name masked. */
  async function probe(project: string, method: string, path: string, auth: string, body?: Buffer, type?: string): Promise<Seen> {
    const r = await fetch(`${h.url}/v2/${project}/app${path}`, {
      method,
      headers: { Authorization: auth, ...(type ? { 'Content-Type': type } : {}) },
      ...(body ? { body: new Uint8Array(body) } : {}),
    });
    const text = await r.text();
    let code = '';
    try {
      code = (JSON.parse(text) as { errors: Array<{ code: string }> }).errors[0]!.code;
    } catch {
      code = '';
    }
    const mask = (s: string) => s.split(project).join('PROJECT');
    const headers = [...r.headers]
      .filter(([k]) => k !== 'date' && k !== 'x-request-id')
      .map(([k, v]) => `${k}: ${mask(v)}`)
      .sort()
      .join('\n');
    return { status: r.status, code, body: mask(text), headers };
  }

  const requests = (): Array<{ label: string; method: string; path: string; push: boolean; body?: Buffer; type?: string }> => {
    const manifest = imageManifest({ digest, size: 1 }, []);
    return [
      { label: 'HEAD manifest', method: 'HEAD', path: '/manifests/v1', push: false },
      { label: 'GET manifest', method: 'GET', path: '/manifests/v1', push: false },
      { label: 'GET manifest by digest', method: 'GET', path: `/manifests/${manifestDigest}`, push: false },
      { label: 'GET tags/list', method: 'GET', path: '/tags/list', push: false },
      { label: 'GET blob', method: 'GET', path: `/blobs/${digest}`, push: false },
      { label: 'HEAD blob', method: 'HEAD', path: `/blobs/${digest}`, push: false },
      { label: 'GET referrers', method: 'GET', path: `/referrers/${manifestDigest}`, push: false },
      { label: 'POST upload', method: 'POST', path: '/blobs/uploads/', push: true },
      { label: 'POST mount', method: 'POST', path: `/blobs/uploads/?mount=${digest}&from=open/app`, push: true },
      { label: 'PUT manifest', method: 'PUT', path: '/manifests/v2', push: true, body: manifest, type: 'application/vnd.oci.image.manifest.v1+json' },
      { label: 'DELETE manifest', method: 'DELETE', path: `/manifests/${manifestDigest}`, push: false },
    ];
  };

  async function tokenFor(as: Creds | null, project: string): Promise<string> {
    const t = await client.token(as, `repository:${project}/app:pull,push,delete`, `repository:${hidden}/app:pull`);
    assert.equal(t.status, 200);
    assert.deepEqual(t.access.map((a) => a.actions), [[], []]);
    return `Bearer ${t.token}`;
  }

  const callers: Array<{ label: string; auth: (project: string) => Promise<string>; anonymous: boolean }> = [
    { label: 'anonymous', auth: async () => '', anonymous: true },
    // An anonymous token is still anonymous: asked to log in (401), never told "does not exist".
    { label: 'anonymous with an anonymous token', auth: (p) => tokenFor(null, p), anonymous: true },
    { label: 'a non-member with Basic credentials', auth: async () => basic(outsider), anonymous: false },
    { label: "a non-member's token", auth: (p) => tokenFor(outsider, p), anonymous: false },
  ];

  for (const caller of callers) {
    test(`${caller.label}: same status, code, body and headers for ${hidden}/app and ${missing}/app`, async () => {
      const diffs: string[] = [];
      for (const rq of requests()) {
        const a = await probe(hidden, rq.method, rq.path, await caller.auth(hidden), rq.body, rq.type);
        const b = await probe(missing, rq.method, rq.path, await caller.auth(missing), rq.body, rq.type);
        if (JSON.stringify(a) !== JSON.stringify(b)) diffs.push(`${rq.label}:\n  private: ${JSON.stringify(a)}\n  missing: ${JSON.stringify(b)}`);
        if (a.status < 400) diffs.push(`${rq.label}: ${a.status} for a caller who cannot see ${hidden}`);
        if (caller.anonymous && a.status !== 401) diffs.push(`${rq.label}: anonymous gets ${a.status}, not a 401 challenge`);
        if (!caller.anonymous && rq.push && (a.code !== 'NAME_UNKNOWN' || !/does not exist/.test(a.body))) {
          diffs.push(`${rq.label}: a logged-in push to a missing project should say NAME_UNKNOWN "does not exist": ${a.status} ${a.body}`);
        }
      }
      assert.deepEqual(diffs, []);
    });
  }

  test('a project the caller can see still tells them what they may not do (no NAME_UNKNOWN)', async () => {
    // open is public: outsider may pull but not push there.
    const viaBasic = await probe('open', 'POST', '/blobs/uploads/', basic(outsider));
    assert.equal(viaBasic.status, 403);
    assert.equal(viaBasic.code, 'DENIED');
    const t = await client.token(outsider, 'repository:open/app:pull,push');
    assert.deepEqual(t.access[0]!.actions, ['pull']);
    const viaToken = await probe('open', 'POST', '/blobs/uploads/', `Bearer ${t.token}`);
    assert.equal(viaToken.status, 401);
    assert.match(viaToken.headers, /www-authenticate: .*error="insufficient_scope"/);
    // And the owner's push into their own project works.
    const own = await probe(hidden, 'POST', '/blobs/uploads/', basic(client.admin));
    assert.equal(own.status, 202);
  });
});

describe('F9: the token realm never reflects a Host header as sent', () => {
  /** A raw request, so the Host header goes out exactly as written. */
  function raw(headers: Record<string, string>): Promise<{ status: number; challenge: string }> {
    const u = new URL(h.url);
    return new Promise((resolve, reject) => {
      const req = request({ host: u.hostname, port: u.port, path: '/v2/', method: 'GET', headers, setHost: false }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode!, challenge: String(res.headers['www-authenticate'] ?? '') }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  /** RFC 9110 auth-params: token=token or token="quoted-string", comma separated. */
  const wellFormed = /^Bearer [a-z_]+="(?:[^"\\]|\\.)*"(?:,[a-z_]+="(?:[^"\\]|\\.)*")*$/;
  const realmOf = (c: string) => /realm="((?:[^"\\]|\\.)*)"/.exec(c)?.[1];

  for (const [label, headers] of [
    ['a quote in Host', { Host: 'evil"bad' }],
    ['a quote and comma in Host', { Host: 'evil",service="x' }],
    ['a quote in X-Forwarded-Host (trusted proxy)', { Host: 'localhost', 'X-Forwarded-Host': 'a"b' }],
    ['a quote in X-Forwarded-Proto (trusted proxy)', { Host: 'localhost', 'X-Forwarded-Proto': 'https"x' }],
  ] as const) {
    test(`${label}: the challenge stays well-formed and names this server`, async () => {
      const r = await raw(headers);
      assert.equal(r.status, 401);
      assert.match(r.challenge, wellFormed, r.challenge);
      assert.match(r.challenge, /,service="haven"$/);
      const realm = realmOf(r.challenge)!;
      assert.ok(!realm.includes('"') && !realm.includes('\\'), realm);
      assert.match(realm, /^https?:\/\/(?:localhost|127\.0\.0\.1:\d+)\/service\/token$/);
    });
  }

  test('a well-formed Host is still used as sent', async () => {
    const r = await raw({ Host: 'registry.example.com:5000' });
    assert.equal(realmOf(r.challenge), 'http://registry.example.com:5000/service/token');
    const v6 = await raw({ Host: '[::1]:5000' });
    assert.equal(realmOf(v6.challenge), 'http://[::1]:5000/service/token');
  });

});
