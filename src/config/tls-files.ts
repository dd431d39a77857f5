import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { z } from 'zod';

export interface TlsSettings {
  cert: string;
  key: string;
  clientCA: string;
  clientAuth: 'none' | 'request' | 'require';
}

/**
 * Checks the TLS files when the configuration is loaded, so a missing, unreadable or mismatched
 * certificate stops start-up with one line naming the key (the files are read again to listen).
 */
export function checkTlsFiles(tls: TlsSettings, ctx: z.RefinementCtx): void {
  const issue = (key: keyof TlsSettings, message: string) => ctx.addIssue({ code: 'custom', path: [key], message });
  if ((tls.cert === '') !== (tls.key === '')) {
    issue(tls.cert === '' ? 'cert' : 'key', 'tls.cert and tls.key are set together or not at all');
    return;
  }
  if (tls.cert === '') {
    if (tls.clientCA !== '') issue('clientCA', 'needs tls.cert and tls.key: client certificates are asked for over TLS only');
    else if (tls.clientAuth !== 'none') issue('clientAuth', 'needs tls.cert, tls.key and tls.clientCA');
    return;
  }
  const read = (key: keyof TlsSettings): Buffer | null => {
    try {
      return readFileSync(tls[key]);
    } catch (err) {
      issue(key, `cannot read ${tls[key]}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      return null;
    }
  };
  const certPem = read('cert');
  const keyPem = read('key');
  if (!certPem || !keyPem) return;
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    issue('cert', `${tls.cert} is not a PEM certificate`);
    return;
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch {
    issue('key', `${tls.key} is not a PEM private key (or it is encrypted)`);
    return;
  }
  if (!cert.checkPrivateKey(key)) {
    issue('key', `${tls.key} is not the private key of the certificate in ${tls.cert}`);
    return;
  }
  if (tls.clientCA === '') {
    if (tls.clientAuth !== 'none') issue('clientCA', `tls.clientAuth ${tls.clientAuth} needs the CA that signs client certificates`);
    return;
  }
  if (tls.clientAuth === 'none') {
    issue('clientAuth', 'must be request or require when tls.clientCA is set');
    return;
  }
  const caPem = read('clientCA');
  if (!caPem) return;
  try {
    new X509Certificate(caPem);
    createSecureContext({ ca: caPem });
  } catch {
    issue('clientCA', `${tls.clientCA} is not a PEM certificate bundle`);
  }
}
