import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { clientNetwork, type Logger } from '@gw/express-middleware';
import { countAndLogEachSecond } from './count-and-log-each-second.js';

/**
 * One client may hold at most `max` connections: without it, one client holding idle keep-alive
 * connections fills MAX_CONNECTIONS and everyone else is refused. A client is an IPv4 address or an
 * IPv6 /64 (one host usually owns a whole /64), as for the IP rate limit. Proxies the app trusts
 * (nginx in front) are exempt: all their clients share their address. Refusals are logged once a
 * second with a count.
 */
export function limitConnectionsPerAddress(
  server: Server,
  { max, isTrustedProxy, logger }: { max: number; isTrustedProxy: (address: string) => boolean; logger: Logger },
): void {
  if (max <= 0) return;
  const open = new Map<string, number>();
  const countRefusal = countAndLogEachSecond(logger, 'Connections refused: MAX_CONNECTIONS_PER_IP reached', {
    max_connections_per_ip: max,
  });
  server.on('connection', (socket: Socket) => {
    const remote = socket.remoteAddress;
    if (remote === undefined || isTrustedProxy(remote)) return;
    const address = clientNetwork(remote) ?? remote;
    const count = open.get(address) ?? 0;
    if (count >= max) {
      socket.destroy();
      countRefusal();
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });
  });
}
