import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, type Logger } from '@gw/express-middleware';
import type { GatewayConfig } from './config.js';
import { createApp } from './create-app.js';

export interface RunningServer {
  server: Server;
  /** http://host:port, with the port actually bound (PORT=0 picks a free one). */
  url: string;
  close(): Promise<void>;
}

/** Starts the gateway and resolves once it listens. */
export async function startServer({
  config,
  logger = createLogger({ level: config.logLevel, format: config.logFormat }),
}: {
  config: GatewayConfig;
  logger?: Logger;
}): Promise<RunningServer> {
  const server = createServer(createApp({ config, logger }));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  return {
    server,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive sockets would hold close() open; streams in flight get to finish.
        server.closeIdleConnections();
      }),
  };
}
