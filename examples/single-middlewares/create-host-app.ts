// Recipe 2 of README.md's "Inside your own Express gateway": the region below is copied there word for word
// (test/examples/readme-recipes.test.ts checks it).
// #region recipe
import express from 'express';
import {
  createApiKeyHasher,
  createLogger,
  extractApiKey,
  gatewayState,
  openAIErrorHandler,
  openAINotFound,
  requestLogger,
  type ApiKeyHeader,
  type Logger,
} from '@gw/express-middleware';

export interface SingleMiddlewaresHostOptions {
  logger?: Logger;
  /** With a secret, fingerprints are HMAC-SHA-256 instead of MD5 (KEY_HASH_SECRET of the server). */
  keyHashSecret?: string;
}

/**
 * A company's own key service, no DashScope call at all: the gateway's request log (two lines per request,
 * the key's fingerprint, never the key) and its key extraction, in front of the host's own routes.
 */
export function createHostApp({ logger = createLogger(), keyHashSecret }: SingleMiddlewaresHostOptions = {}) {
  // One hasher and one header list for both, so the log and the route agree on the fingerprint.
  const hashApiKey = createApiKeyHasher({ secret: keyHashSecret });
  const headers: readonly ApiKeyHeader[] = ['authorization', 'x-api-key'];

  const app = express();
  app.use(requestLogger({ logger, hashApiKey, apiKeyHeaders: headers }));
  app.get('/health', (_req, res) => void res.json({ ok: true }));

  // Tells callers which fingerprint their key has, so they can find their own lines in the logs.
  app.use('/keys', extractApiKey({ headers, hashApiKey }));
  app.get('/keys/fingerprint', (_req, res) => void res.json({ fingerprint: gatewayState(res).keyHash }));

  app.use(openAINotFound(), openAIErrorHandler({ logger }));
  return app;
}
// #endregion recipe
