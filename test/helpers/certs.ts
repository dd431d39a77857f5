import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCerts {
  /** CA of the server certificate (what clients trust). */
  ca: string;
  serverCert: string;
  serverKey: string;
  /** CA that signs client certificates (tls.clientCA). */
  clientCa: string;
  clientCert: string;
  clientKey: string;
  /** A client certificate from a CA Haven does not trust. */
  rogueCert: string;
  rogueKey: string;
}

const openssl = (args: string[], cwd: string) => execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });

function makeCa(dir: string, name: string): void {
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.crt`], dir);
}

function signed(dir: string, name: string, ca: string, subject: string, ext: string): void {
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', subject, '-keyout', `${name}.key`, '-out', `${name}.csr`], dir);
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.cert`], dir);
}

/** A server CA, a server certificate for 127.0.0.1 (IP SAN), a client CA with a client, and a rogue client. */
export function makeTestCerts(dir: string): TestCerts {
  makeCa(dir, 'server-ca');
  makeCa(dir, 'client-ca');
  makeCa(dir, 'rogue-ca');
  signed(dir, 'server', 'server-ca', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  signed(dir, 'client', 'client-ca', '/CN=haven-test-client', 'extendedKeyUsage=clientAuth\n');
  signed(dir, 'rogue', 'rogue-ca', '/CN=rogue-client', 'extendedKeyUsage=clientAuth\n');
  const p = (f: string) => join(dir, f);
  return {
    ca: p('server-ca.crt'),
    serverCert: p('server.cert'),
    serverKey: p('server.key'),
    clientCa: p('client-ca.crt'),
    clientCert: p('client.cert'),
    clientKey: p('client.key'),
    rogueCert: p('rogue.cert'),
    rogueKey: p('rogue.key'),
  };
}
