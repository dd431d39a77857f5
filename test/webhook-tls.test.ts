// Webhooks to HTTPS receivers: a target's skip_cert_verify decides whether Haven checks the
// receiver's certificate. One push reaches three policies of one project: a self-signed receiver
// with verification on (refused: the task ends in Error, its log names the certificate problem,
// the receiver gets nothing), the same receiver with verification skipped (delivered, with the
// target's auth header as Authorization), and a receiver whose CA Haven trusts
// (NODE_EXTRA_CA_CERTS) with verification on (delivered: the refusal above is about trust, not
// a TLS client that never works).
// Every assert.ok has a message (see test/webhooks.test.ts: without one, a failed check is slow).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeTestCerts } from './helpers/certs.js';
import { eventually } from './helpers/eventually.js';
import { type RunningHaven, startHaven } from './helpers/haven.js';
import { asAdmin, pushImage } from './helpers/oci.js';

// biome-ignore lint/suspicious/noExplicitAny: payloads are read field by field and asserted against what Harbor sends
type Payload = any;

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A certificate for 127.0.0.1 that signs itself: no CA anyone trusts vouches for it. */
function selfSignedCert(dir: string): { cert: string; key: string } {
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', 'self.key', '-out', 'self.crt'],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return { cert: join(dir, 'self.crt'), key: join(dir, 'self.key') };
}

/** An HTTPS receiver on loopback that records every request it gets and answers 200. */
async function startHttpsReceiver(certFile: string, keyFile: string) {
  const got: Received[] = [];
  const server: Server = createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    got,
    on: (path: string) => got.filter((g) => g.path === path),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

type Receiver = Awaited<ReturnType<typeof startHttpsReceiver>>;

describe('webhooks to HTTPS receivers', () => {
  let dir = '';
  let h: RunningHaven;
  let selfSigned: Receiver;
  let trusted: Receiver;
  let pushed: { digest: string };
  const policy: Record<'verify' | 'skip' | 'trusted', number> = { verify: 0, skip: 0, trusted: 0 };
  const api = (path: string, init: RequestInit = {}) => h.adminFetch(`${h.url}/api/v2.0${path}`, { ...init, headers: { 'Content-Type': 'application/json', ...init.headers } });
  const json = (r: Received) => JSON.parse(r.body) as Record<string, Payload>;

  /** The policy's one execution and its one task, once the execution has reached `status`. */
  async function delivery(policyId: number, status: 'Success' | 'Error') {
    const exec = await eventually(
      async () => {
        const l = (await (await api(`/projects/tls/webhook/policies/${policyId}/executions`)).json()) as Array<{ id: number; status: string }>;
        assert.equal(l.length, 1, `one execution for the one push: ${JSON.stringify(l)}`);
        assert.equal(l[0]!.status, status, `policy ${policyId}: ${JSON.stringify(l)}`);
        return l[0]!;
      },
      { timeoutMs: 20_000 },
    );
    const tasks = (await (await api(`/projects/tls/webhook/policies/${policyId}/executions/${exec.id}/tasks`)).json()) as Array<{ id: number; status: string; run_count: number; extra_attrs: Record<string, Payload> }>;
    assert.equal(tasks.length, 1, JSON.stringify(tasks));
    const log = await (await api(`/projects/tls/webhook/policies/${policyId}/executions/${exec.id}/tasks/${tasks[0]!.id}/log`)).text();
    const jobs = (await (await api(`/projects/tls/webhook/jobs?policy_id=${policyId}`)).json()) as Array<{ status: string; event_type: string }>;
    return { exec, task: tasks[0]!, log, jobs };
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'haven-webhook-tls-'));
    const certs = makeTestCerts(dir);
    const self = selfSignedCert(dir);
    selfSigned = await startHttpsReceiver(self.cert, self.key);
    trusted = await startHttpsReceiver(certs.serverCert, certs.serverKey);
    h = await startHaven({
      projects: ['tls'],
      env: {
        HAVEN_JOBS_POLL_INTERVAL: '100',
        HAVEN_JOBS_RETRY_DELAY: '200',
        HAVEN_WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
        HAVEN_WEBHOOK_TIMEOUT: '2000',
        // The CA of `trusted` only: the self-signed certificate stays untrusted.
        NODE_EXTRA_CA_CERTS: certs.ca,
      },
    });
    const create = async (name: string, target: Record<string, unknown>) => {
      const r = await api('/projects/tls/webhook/policies', { method: 'POST', body: JSON.stringify({ name, event_types: ['PUSH_ARTIFACT'], targets: [{ type: 'http', ...target }] }) });
      assert.equal(r.status, 201, await r.text());
      return Number(r.headers.get('location')!.split('/').pop());
    };
    policy.verify = await create('verify', { address: `${selfSigned.url}/verify`, skip_cert_verify: false, auth_header: 'Bearer never-sent' });
    policy.skip = await create('skip', { address: `${selfSigned.url}/skip`, skip_cert_verify: true, auth_header: 'Bearer tls-s3cret' });
    policy.trusted = await create('trusted', { address: `${trusted.url}/trusted`, skip_cert_verify: false, auth_header: 'Basic dHJ1c3RlZDp5ZXM=' });
    // One push, heard by all three policies.
    pushed = await pushImage(asAdmin(h), 'tls/app', 'v1');
  });
  after(async () => {
    await h?.cleanup();
    await selfSigned?.close();
    await trusted?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('skip_cert_verify=false and a self-signed certificate: the delivery fails with the certificate named, nothing is sent', async () => {
    const { exec, task, log, jobs } = await delivery(policy.verify, 'Error');
    assert.equal(task.status, 'Error');
    assert.deepEqual(jobs.map((j) => [j.event_type, j.status]), [['PUSH_ARTIFACT', 'Error']], 'the deprecated jobs list agrees');
    // The log says why: the certificate, not a refused connection or a timeout.
    assert.match(log, /error to send request: self[- ]signed certificate/);
    assert.match(log, /attempt \d+ of \d+ failed; giving up/);
    assert.ok(task.run_count >= 1, `run_count ${task.run_count}`);
    assert.equal(task.extra_attrs.status_code, 0, 'no HTTP answer was ever read');
    assert.ok(!log.includes('never-sent'), 'the auth header is not logged');
    // The execution still records what would have been sent.
    const [e] = (await (await api(`/projects/tls/webhook/policies/${policy.verify}/executions`)).json()) as Array<{ id: number; extra_attrs: { event_type: string } }>;
    assert.equal(e!.id, exec.id);
    assert.equal(e!.extra_attrs.event_type, 'PUSH_ARTIFACT');
    // No request got through the handshake: the receiver heard nothing on this policy's path.
    assert.deepEqual(selfSigned.on('/verify'), []);
  });

  test('skip_cert_verify=true: the same push is delivered to the self-signed receiver, with the auth header', async () => {
    const { task, log, jobs } = await delivery(policy.skip, 'Success');
    assert.equal(task.status, 'Success');
    assert.equal(task.extra_attrs.status_code, 200);
    assert.match(log, /success to run webhook job \(200 in \d+ ms\)/);
    assert.deepEqual(jobs.map((j) => [j.event_type, j.status]), [['PUSH_ARTIFACT', 'Success']]);
    const got = selfSigned.on('/skip');
    assert.equal(got.length, 1, `one delivery, got ${got.length}`);
    assert.equal(got[0]!.headers.authorization, 'Bearer tls-s3cret');
    const p = json(got[0]!);
    assert.equal(p.type, 'PUSH_ARTIFACT');
    assert.equal(p.operator, 'admin');
    assert.equal(p.event_data.repository.repo_full_name, 'tls/app');
    assert.deepEqual(p.event_data.resources, [{ digest: pushed.digest, tag: 'v1', resource_url: `${h.host}/tls/app:v1` }]);
  });

  test('skip_cert_verify=false and a certificate from a trusted CA: verified and delivered', async () => {
    const { task } = await delivery(policy.trusted, 'Success');
    assert.equal(task.status, 'Success');
    const got = trusted.on('/trusted');
    assert.equal(got.length, 1, `one delivery, got ${got.length}`);
    assert.equal(got[0]!.headers.authorization, 'Basic dHJ1c3RlZDp5ZXM=');
    const p = json(got[0]!);
    assert.equal(p.type, 'PUSH_ARTIFACT');
    assert.deepEqual(p.event_data.resources, [{ digest: pushed.digest, tag: 'v1', resource_url: `${h.host}/tls/app:v1` }]);
  });
});
