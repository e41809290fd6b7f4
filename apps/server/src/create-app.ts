import cors from 'cors';
import express, { type Express } from 'express';
import {
  createApiKeyHasher,
  createLogger,
  createOpenAIRouter,
  openAIErrorHandler,
  openAINotFound,
  requestLogger,
  type Logger,
} from '@gw/express-middleware';
import type { GatewayConfig } from './config.js';
import { health } from './routes/health.js';
import { serviceInfo } from './routes/service-info.js';

export interface CreateAppOptions {
  config: GatewayConfig;
  logger?: Logger;
  /** Clock in milliseconds. */
  now?: () => number;
}

/** The standalone gateway: logging, CORS, service routes, and the OpenAI API under /v1. */
export function createApp({
  config,
  logger = createLogger({ level: config.logLevel, format: config.logFormat }),
  now = Date.now,
}: CreateAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);

  app.use(requestLogger({ logger, hashApiKey: createApiKeyHasher({ secret: config.keyHashSecret }) }));
  // Browsers may call from any origin by default; never with credentials: keys travel in Authorization.
  app.use(cors({ origin: config.corsOrigins, credentials: false, maxAge: 86_400, exposedHeaders: ['retry-after'] }));

  app.get('/', serviceInfo({ dashscopeBaseUrl: config.dashscopeBaseUrl }));
  app.get('/health', health({ now }));
  app.use(
    '/v1',
    createOpenAIRouter({
      dashscopeBaseUrl: config.dashscopeBaseUrl,
      bodyLimit: config.bodyLimitBytes,
      upstreamTimeoutMs: config.upstreamTimeoutMs,
      logger,
      now,
    }),
  );
  app.use(openAINotFound());
  app.use(openAIErrorHandler({ logger }));
  return app;
}
