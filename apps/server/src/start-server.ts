import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, type Logger } from '@gw/express-middleware';
import type { GatewayConfig } from './config.js';
import { createApp } from './create-app.js';
import { createDrain } from './drain.js';
import { countAndLogEachSecond } from './count-and-log-each-second.js';
import { createRateLimits } from './rate-limits.js';
import { limitConnectionsPerAddress } from './limit-connections-per-address.js';
import { watchFileDescriptors } from './watch-file-descriptors.js';

export interface RunningServer {
  server: Server;
  /** http://host:port, with the port actually bound (PORT=0 picks a free one). */
  url: string;
  /** Closes at once: stops listening and waits for requests in flight (no deadline). For tests. */
  close(): Promise<void>;
  /**
   * The graceful shutdown (SIGTERM): stop accepting connections, answer with `Connection: close`, let
   * requests in flight finish within SHUTDOWN_DRAIN_MS, then cut what still runs (streams get a
   * `server_shutting_down` error event) and close every connection. Resolves with how many were cut.
   */
  shutdown(): Promise<{ cut: number }>;
  /** Cuts every request still running now (a second SIGTERM): streams get their error event. */
  cutNow(): number;
}

/** How often Node checks header and request timeouts; its 30 s default would stretch every limit by up to that. */
const timeoutCheckIntervalMs = 1_000;
/** After the cut, how long the error events get to leave before the sockets close. */
const cutGraceMs = 500;

/** Starts the gateway and resolves once it listens. */
export async function startServer({
  config,
  logger = createLogger({ level: config.logLevel, format: config.logFormat }),
}: {
  config: GatewayConfig;
  logger?: Logger;
}): Promise<RunningServer> {
  const drain = createDrain();
  const rateLimits = createRateLimits({ config, logger });
  const app = createApp({ config, logger, drain, rateLimits });
  const server = createServer(
    {
      // Longer than the upstream keepalive_timeout of the nginx in front (60 s in the shipped site):
      // the proxy must be the side that closes an idle connection, or a request it sends on one the
      // gateway is just closing fails with a 502.
      keepAliveTimeout: config.keepAliveTimeoutMs,
      // Connections that send nothing, or headers too slowly, are answered 408 and closed.
      headersTimeout: config.headersTimeoutMs,
      // Headers and body; the body's own limit (BODY_TIMEOUT_MS) answers first, OpenAI-shaped.
      requestTimeout: config.headersTimeoutMs + config.bodyTimeoutMs + timeoutCheckIntervalMs,
      connectionsCheckingInterval: timeoutCheckIntervalMs,
    },
    app,
  );
  server.maxConnections = config.maxConnections;
  // Node drops connections over MAX_CONNECTIONS; the log says how many, once a second.
  server.on(
    'drop',
    countAndLogEachSecond(logger, 'Connections refused: MAX_CONNECTIONS reached', { max_connections: config.maxConnections }),
  );
  limitConnectionsPerAddress(server, {
    max: config.maxConnectionsPerIp,
    isTrustedProxy: (address) => (app.get('trust proxy fn') as (address: string, hop: number) => boolean)(address, 0),
    logger,
  });
  if (config.trustProxy === true) {
    logger.warn(
      'TRUST_PROXY=true believes any X-Forwarded-For: clients can choose their IP (logs, IP rate limit). Use the hop count, such as 1',
    );
  }
  const descriptors = watchFileDescriptors({ logger, expectedPeak: config.maxConnections + config.upstreamMaxSockets + 64 });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Once listening, an accept error (out of file descriptors) must be logged, never crash the process.
  server.on('error', (error: NodeJS.ErrnoException) => {
    logger.error('The server could not accept a connection', { cause: error.code ?? error.message });
  });

  const { port } = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const closed = new Promise<void>((resolve) => server.once('close', () => resolve()));
  const stopListening = () => {
    if (server.listening) server.close();
    // Idle keep-alive sockets would hold close() open; busy ones close after their response.
    server.closeIdleConnections();
  };
  const finish = async () => {
    descriptors.stop();
    await closed;
    await rateLimits.close();
  };

  let shuttingDown: Promise<{ cut: number }> | undefined;
  const cutNow = () => {
    drain.begin();
    stopListening();
    const cut = drain.cut();
    // The error events get a moment to leave; then every connection goes.
    setTimeout(() => server.closeAllConnections(), cutGraceMs).unref();
    return cut;
  };
  return {
    server,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: async () => {
      stopListening();
      await finish();
    },
    cutNow,
    shutdown: () =>
      (shuttingDown ??= (async () => {
        drain.begin();
        stopListening();
        const inFlight = drain.inFlight();
        if (inFlight > 0) logger.info('Draining', { in_flight: inFlight, deadline_ms: config.shutdownDrainMs });
        let deadline: NodeJS.Timeout | undefined;
        const drained = await Promise.race([
          drain.idle().then(() => true),
          new Promise<false>((resolve) => (deadline = setTimeout(() => resolve(false), config.shutdownDrainMs))),
        ]);
        clearTimeout(deadline);
        let cut = 0;
        if (!drained) {
          cut = drain.cut();
          logger.warn('Drain deadline reached: cutting the requests still running', { cut, deadline_ms: config.shutdownDrainMs });
          await Promise.race([drain.idle(), new Promise((resolve) => setTimeout(resolve, cutGraceMs))]);
        }
        // Nothing is in flight now: what is left is idle, or a request still sending its headers.
        server.closeAllConnections();
        await finish();
        logger.info(drained ? 'Drained: every request finished' : 'Shut down after cutting requests', { cut });
        return { cut };
      })()),
  };
}
