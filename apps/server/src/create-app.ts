import cors from 'cors';
import express, { type Express } from 'express';
import {
  createApiKeyHasher,
  createLogger,
  createMemoryBudget,
  createOpenAIRouter,
  docsPage,
  openAPIDocument,
  requestId,
  openAIErrorHandler,
  openAINotFound,
  RATE_LIMIT_HEADERS,
  GATEWAY_WARNINGS_HEADER,
  requestLogger,
  type Logger,
} from '@gw/express-middleware';
import type { GatewayConfig } from './config.js';
import { createDrain, type Drain } from './drain.js';
import { createRateLimits, type RateLimits } from './rate-limits.js';
import { health } from './routes/health.js';
import { serviceInfo } from './routes/service-info.js';
import { version } from './version.js';

export interface CreateAppOptions {
  config: GatewayConfig;
  logger?: Logger;
  /** Clock in milliseconds. */
  now?: () => number;
  /** Default `createRateLimits({ config, logger })`; whoever creates them closes them (their Redis client). */
  rateLimits?: RateLimits;
  /** The server's graceful shutdown; startServer passes its own. */
  drain?: Drain;
}

/** The standalone gateway: logging, CORS, service routes, and the OpenAI API under /v1. */
export function createApp({
  config,
  logger = createLogger({ level: config.logLevel, format: config.logFormat }),
  now = Date.now,
  rateLimits = createRateLimits({ config, logger }),
  drain = createDrain(),
}: CreateAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);

  app.use(drain.middleware);
  app.use(requestId());
  app.use(requestLogger({ logger, hashApiKey: createApiKeyHasher({ secret: config.keyHashSecret }) }));
  // Browsers may call from any origin by default; never with credentials: keys travel in Authorization.
  app.use(
    cors({
      origin: config.corsOrigins,
      credentials: false,
      maxAge: 86_400,
      exposedHeaders: ['x-request-id', 'x-dashscope-request-id', GATEWAY_WARNINGS_HEADER, ...RATE_LIMIT_HEADERS],
    }),
  );

  app.get('/', serviceInfo({ dashscopeBaseUrl: config.dashscopeBaseUrl }));
  app.get('/health', health({ now }));
  // The gateway's own contract, readable without a key, as the original product's FastAPI /docs was.
  app.get('/openapi.json', openAPIDocument({ version }));
  app.get('/docs', docsPage({ version }));
  // Per client IP before anything reads the body; per key after auth; calls in flight once the call is prepared.
  if (rateLimits.byIp !== undefined) app.use('/v1', rateLimits.byIp);
  app.use(
    '/v1',
    createOpenAIRouter({
      dashscopeBaseUrl: config.dashscopeBaseUrl,
      bodyLimit: config.bodyLimitBytes,
      bodyTimeoutMs: config.bodyTimeoutMs,
      requestLimits: { maxMessages: config.maxMessages, maxTextLength: config.maxTextChars },
      maxJsonDepth: config.maxJsonDepth,
      maxJsonValues: config.maxJsonValues,
      memoryBudget: createMemoryBudget({ maxBytes: config.bufferMemoryLimitBytes, maxBytesPerClient: config.bufferMemoryPerIpBytes }),
      shutdownSignal: drain.signal,
      upstream: {
        timeoutMs: config.upstreamTimeoutMs,
        idleTimeoutMs: config.upstreamIdleTimeoutMs,
        maxStreamDurationMs: config.streamMaxDurationMs,
        heartbeatIntervalMs: config.heartbeatIntervalMs,
        sendTimeoutMs: config.sendTimeoutMs,
        maxUpstreamJsonBytes: config.upstreamMaxJsonBytes,
        maxUpstreamStreamBytes: config.upstreamMaxStreamBytes,
        batchConcurrency: config.upstreamBatchConcurrency,
        streamLimits: { maxLineLength: config.upstreamMaxLineChars, maxEventLength: config.upstreamMaxEventChars },
        pool: {
          maxSockets: config.upstreamMaxSockets,
          queueTimeoutMs: config.upstreamQueueTimeoutMs,
          maxFreeSockets: config.upstreamMaxIdleSockets,
          freeSocketTimeoutMs: config.upstreamIdleSocketTimeoutMs,
          connectTimeoutMs: config.upstreamConnectTimeoutMs,
        },
      },
      middlewares: rateLimits.byKey === undefined ? [] : [rateLimits.byKey],
      callMiddlewares: rateLimits.concurrentCalls === undefined ? [] : [rateLimits.concurrentCalls],
      logger,
      now,
    }),
  );
  app.use(openAINotFound());
  app.use(openAIErrorHandler({ logger }));
  return app;
}
