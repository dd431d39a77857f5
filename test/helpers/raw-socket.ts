import { connect, type Socket } from 'node:net';

export interface RawConnection {
  socket: Socket;
  /** Everything received so far. */
  received(): string;
  /** Resolves with the text received once it matches, or rejects after `ms`. */
  waitFor(pattern: RegExp, ms?: number): Promise<string>;
  /** Resolves when the server closed (or reset) the connection, with ms since it was opened. */
  closed: Promise<number>;
  /** Resolves true if the connection closes within `ms`, false if it is still open then. */
  closesWithin(ms: number): Promise<boolean>;
}

/** A plain TCP connection to a test server: for requests no HTTP client would send. */
export async function rawConnection(url: string): Promise<RawConnection> {
  const { hostname, port } = new URL(url);
  const opened = Date.now();
  const socket = connect(Number(port), hostname);
  let data = '';
  const listeners = new Set<() => void>();
  socket.setEncoding('latin1');
  socket.on('data', (d: string) => {
    data += d;
    for (const l of listeners) l();
  });
  socket.on('error', () => {});
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - opened)));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return {
    socket,
    received: () => data,
    closed,
    waitFor(pattern, ms = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!pattern.test(data)) return;
          cleanup();
          resolve(data);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no ${pattern} within ${ms} ms; received ${JSON.stringify(data.slice(0, 300))}`));
        }, ms);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        void closed.then(() => setImmediate(check));
        check();
      });
    },
    closesWithin(ms) {
      return Promise.race([closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);
    },
  };
}
