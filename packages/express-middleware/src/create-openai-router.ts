import { Router } from 'express';
import { createDashScopeProxy } from './create-dashscope-proxy.js';
import { extractApiKey } from './extract-api-key.js';
import { jsonBody } from './json-body.js';
import { createLogger, type Logger } from './logger.js';
import { listModelsHandler, retrieveModelHandler } from './models-routes.js';
import { openAINotFound } from './not-found.js';
import { openAIErrorHandler } from './openai-error-handler.js';
import { rewriteChatRequest } from './rewrite-chat-request.js';

export interface OpenAIRouterOptions {
  /** DashScope's base URL; default https://dashscope.aliyuncs.com. */
  dashscopeBaseUrl?: string;
  /** Largest request body, in bytes or as "10mb". */
  bodyLimit?: number | string;
  /** Upstream timeout in milliseconds (no answer, or silence inside a stream). */
  upstreamTimeoutMs?: number;
  logger?: Logger;
  /** Clock in milliseconds, for `created`. */
  now?: () => number;
  generateId?: () => string;
}

/**
 * The OpenAI API (`/models`, `/chat/completions`) as one Router, mountable at any path of any Express app:
 * `app.use('/v1', createOpenAIRouter())`. Unknown paths below the mount point get OpenAI-shaped 404s and
 * every error leaves OpenAI-shaped; the host app's other routes are untouched.
 */
export function createOpenAIRouter({
  dashscopeBaseUrl = 'https://dashscope.aliyuncs.com',
  bodyLimit = '10mb',
  upstreamTimeoutMs = 300_000,
  logger = createLogger(),
  now = Date.now,
  generateId,
}: OpenAIRouterOptions = {}): Router {
  const router = Router();
  const proxy = createDashScopeProxy({ baseUrl: dashscopeBaseUrl, timeoutMs: upstreamTimeoutMs, logger });
  const requireKey = extractApiKey();

  router.get('/models', requireKey, listModelsHandler());
  router.get('/models/:model', requireKey, retrieveModelHandler());
  router.post('/chat/completions', requireKey, jsonBody({ limit: bodyLimit }), rewriteChatRequest({ logger, now, generateId }), proxy);
  router.use(openAINotFound());
  router.use(openAIErrorHandler({ logger }));
  return router;
}
