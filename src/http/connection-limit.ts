import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Caps open connections per client address: one client cannot take every file descriptor of
 * the process. A connection beyond the cap is closed before any byte is read. The address is
 * the TCP peer's; behind a reverse proxy that is the proxy, so the limit belongs there.
 */
export function limitConnectionsPerIp(server: Server, max: number, onRefused: (address: string) => void): void {
  if (max <= 0) return;
  const open = new Map<string, number>();
  // Prepended: a refused connection is destroyed before Node's HTTP handler reads from it.
  server.prependListener('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const n = open.get(address) ?? 0;
    if (n >= max) {
      onRefused(address);
      socket.destroy();
      return;
    }
    open.set(address, n + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
}
