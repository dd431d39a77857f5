import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { Server as HttpsServer, ServerOptions } from 'node:https';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { TlsSettings } from '../config/tls-files.js';

/** TLS's first byte: a handshake record. Anything else on a TLS port is plain text (HTTP). */
const handshakeRecord = 0x16;

/** Node's https options for `tls.*`, or null when TLS is off. Files were checked at config load. */
export function httpsOptions(tls: TlsSettings): ServerOptions | null {
  if (tls.cert === '') return null;
  return {
    cert: readFileSync(tls.cert),
    key: readFileSync(tls.key),
    minVersion: 'TLSv1.2',
    ...(tls.clientAuth === 'none'
      ? {}
      : {
          ca: readFileSync(tls.clientCA),
          requestCert: true,
          // require: the handshake itself fails without a certificate the CA signed.
          rejectUnauthorized: tls.clientAuth === 'require',
        }),
  };
}

/**
 * What a TLS listener does besides TLS. Plain HTTP sent to it gets an HTTP answer instead of a
 * dead connection: GET/HEAD are redirected to the https URL (externalUrl when set, else the Host
 * asked for), anything else gets 400 saying to use https. Under clientAuth `request`, a client
 * that presents a certificate the CA did not sign is cut off, as Go's VerifyClientCertIfGiven
 * does; one without a certificate is served. Call right after the server is made, before other
 * 'connection' listeners are prepended (they must still see the socket first).
 */
export function guardTlsListener(server: HttpsServer, opts: { externalUrl: string; clientAuth: TlsSettings['clientAuth']; firstByteTimeout: number }): void {
  const tlsListeners = server.listeners('connection') as Array<(socket: Socket) => void>;
  server.removeAllListeners('connection');
  server.on('connection', (socket: Socket) => {
    // Until the first byte, the socket is ours alone: nothing else times it out or hears its
    // errors (an unheard 'error', e.g. a reset before any byte, would end the process).
    const early = () => socket.destroy();
    socket.on('error', early);
    socket.setTimeout(opts.firstByteTimeout, early);
    socket.once('data', (chunk: Buffer) => {
      socket.setTimeout(0);
      socket.off('timeout', early);
      socket.off('error', early);
      socket.pause();
      if (chunk[0] === handshakeRecord) {
        socket.unshift(chunk);
        // The TLS wrap takes the socket's handle and replays what is buffered (the unshifted
        // chunk); resuming the plain socket now would read past it.
        for (const l of tlsListeners) l.call(server, socket);
        return;
      }
      answerPlainHttp(socket, chunk, opts.externalUrl);
    });
  });
  if (opts.clientAuth === 'request') {
    server.prependListener('secureConnection', (socket: TLSSocket) => {
      const given = Object.keys(socket.getPeerCertificate() ?? {}).length > 0;
      if (given && !socket.authorized) socket.destroy();
    });
  }
}

function answerPlainHttp(socket: Socket, chunk: Buffer, externalUrl: string): void {
  const head = chunk.toString('latin1', 0, Math.min(chunk.length, 8192));
  const line = /^([A-Z]+) (\/[^\s]*) HTTP\/1\.[01]\r?\n/.exec(head);
  const host = /\r?\nhost:[ \t]*([A-Za-z0-9.:[\]-]+)[ \t]*\r?\n/i.exec(head)?.[1];
  const base = externalUrl.startsWith('https://') ? externalUrl.replace(/\/+$/, '') : host ? `https://${host}` : '';
  const redirect = line && base && (line[1] === 'GET' || line[1] === 'HEAD');
  const body = `This port speaks HTTPS: use ${base ? `${base}${line?.[2] ?? '/'}` : 'https://'}\n`;
  const headers = [
    redirect ? 'HTTP/1.1 308 Permanent Redirect' : 'HTTP/1.1 400 Bad Request',
    ...(redirect ? [`Location: ${base}${line[2]}`] : []),
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
  ];
  socket.resume();
  socket.on('error', () => {});
  socket.end(`${headers.join('\r\n')}\r\n\r\n${line?.[1] === 'HEAD' ? '' : body}`);
}

/** How often the certificate files are looked at for a renewal. */
const certPollMs = 5_000;

/**
 * Renewed certificates are served without a restart (cert-manager, certbot and Kubernetes
 * secret mounts replace the files in place or by symlink swap, which polling sees): when
 * tls.cert, tls.key or tls.clientCA changes, new connections get the new files once they load
 * and match; a half-written or mismatched pair is logged and the old one kept. Returns the stop.
 */
export function reloadTlsOnChange(server: HttpsServer, tls: TlsSettings, log: { info(o: object, m: string): void; error(o: object, m: string): void }, pollMs = certPollMs): () => void {
  const files = [tls.cert, tls.key, ...(tls.clientCA ? [tls.clientCA] : [])];
  const reload = () => {
    try {
      const options = httpsOptions(tls)!;
      const cert = new X509Certificate(options.cert as Buffer);
      if (!cert.checkPrivateKey(createPrivateKey(options.key as Buffer))) throw new Error(`${tls.key} is not the private key of the certificate in ${tls.cert}`);
      server.setSecureContext(options);
      log.info({ cert: tls.cert, subject: cert.subject, validTo: cert.validTo }, 'TLS certificate reloaded');
    } catch (err) {
      log.error({ err, cert: tls.cert }, 'TLS files changed but could not be loaded; still serving the previous certificate');
    }
  };
  const onChange = (now: { mtimeMs: number; ino: number; size: number }, before: { mtimeMs: number; ino: number; size: number }) => {
    if (now.mtimeMs !== before.mtimeMs || now.ino !== before.ino || now.size !== before.size) reload();
  };
  for (const f of files) watchFile(f, { interval: pollMs, persistent: false }, onChange);
  return () => {
    for (const f of files) unwatchFile(f, onChange);
  };
}

/** Everything a TLS listener gets besides TLS itself (the two functions above); returns the stop. */
export function secureListener(server: HttpsServer, tls: TlsSettings, opts: { externalUrl: string; firstByteTimeout: number; log: Parameters<typeof reloadTlsOnChange>[2] }): () => void {
  guardTlsListener(server, { externalUrl: opts.externalUrl, clientAuth: tls.clientAuth, firstByteTimeout: opts.firstByteTimeout });
  return reloadTlsOnChange(server, tls, opts.log);
}
