import { Router, type RequestHandler } from 'express';
import { OPENAI_ENDPOINTS, type GatewayEndpoint, type RequestLimits } from '@gw/core';
import { answerLocalEndpoint } from './answer-local-endpoint.js';
import type { CallReport } from './call-report.js';
import { createDashScopeProxy, type DashScopeProxyOptions } from './create-dashscope-proxy.js';
import { extractApiKey } from './extract-api-key.js';
import { gatewayState } from './gateway-state.js';
import { createApiKeyHasher, type ApiKeyHasher } from './hash-api-key.js';
import { jsonBody, parseByteSize } from './json-body.js';
import { createMemoryBudget, type MemoryBudget } from './memory-budget.js';
import { createLogger, type Logger } from './logger.js';
import { openAINotFound } from './not-found.js';
import { openAIErrorHandler } from './openai-error-handler.js';
import { reportCalls } from './report-calls.js';
import { rewriteRequest } from './rewrite-request.js';

export interface OpenAIRouterOptions {
  /** DashScope's base URL; default https://dashscope.aliyuncs.com. */
  dashscopeBaseUrl?: string;
  /** Largest request body, in bytes or as "10mb". */
  bodyLimit?: number | string;
  /** A request body must arrive within this many milliseconds, else 408; default 30000. */
  bodyTimeoutMs?: number;
  /** Caps on messages per request and their total text (400 naming `messages`); default DEFAULT_REQUEST_LIMITS. */
  requestLimits?: RequestLimits;
  /** Deepest nesting of objects and arrays in a request body, checked before parsing (400 `json_too_complex`); default 64. */
  maxJsonDepth?: number;
  /**
   * Most values in a request body (every array element and object member's value; objects and arrays are
   * values too), checked before parsing (400 `json_too_complex`); default 200000.
   */
  maxJsonValues?: number;
  /** Longest wait for DashScope's reply to start, in milliseconds (shorthand for `upstream.timeoutMs`). */
  upstreamTimeoutMs?: number;
  /** Largest DashScope JSON answer read, in bytes (shorthand for `upstream.maxUpstreamJsonBytes`). */
  maxUpstreamJsonBytes?: number;
  /** The upstream's limits and pool: waits, caps, heartbeats, connection pool (see DashScopeProxyOptions). */
  upstream?: Omit<DashScopeProxyOptions, 'baseUrl' | 'logger' | 'memoryBudget' | 'shutdownSignal'>;
  /**
   * One budget for buffered request bodies and buffered DashScope JSON answers, shared across requests,
   * with a share per client address for the bodies; default 256 MB (at least bodyLimit), 64 MB per
   * client (at least bodyLimit).
   */
  memoryBudget?: MemoryBudget;
  /** Abort it when the server shuts down: bodies still arriving and calls still running end with `server_shutting_down`. */
  shutdownSignal?: AbortSignal;
  logger?: Logger;
  /** Fingerprints keys for logs and metrics (pass the same one to requestLogger). */
  hashApiKey?: ApiKeyHasher;
  /** How the caller's key is taken; default `extractApiKey({ hashApiKey })` (Authorization: Bearer). */
  auth?: RequestHandler;
  /** The host's own middlewares, run after auth and before every endpoint (quotas, audit, tenancy…). */
  middlewares?: readonly RequestHandler[];
  /**
   * The host's own middlewares for calls to DashScope, run once the body is read and the call prepared
   * (`gatewayState(res).call`, so whether it streams is known) and before it leaves, e.g.
   * `limitConcurrentCalls()`.
   */
  callMiddlewares?: readonly RequestHandler[];
  /** The call-finished hook: one report per request below the router. */
  onCallFinished?: (report: CallReport) => unknown;
  /** The endpoints to serve; default all of OPENAI_ENDPOINTS. */
  endpoints?: readonly GatewayEndpoint[];
  /** Clock in milliseconds, for `created`. */
  now?: () => number;
  generateId?: () => string;
}

/** The default budget of buffered bodies and answers across one router's requests. */
const DEFAULT_BUFFER_MEMORY_BYTES = 256 * 1024 * 1024;
/** The default share of that budget one client address's bodies may hold. */
const DEFAULT_BUFFER_MEMORY_PER_CLIENT_BYTES = 64 * 1024 * 1024;

/**
 * The OpenAI API as one Router, mountable at any path of any Express app, built from the endpoint
 * table: `app.use('/v1', createOpenAIRouter())`. Unknown paths below the mount point get OpenAI-shaped
 * 404s and every error leaves OpenAI-shaped; the host app's other routes are untouched. If the host
 * parses JSON before the router, use `mountOpenAIRouter` so its parser's errors are OpenAI-shaped too.
 */
export function createOpenAIRouter({
  dashscopeBaseUrl = 'https://dashscope.aliyuncs.com',
  bodyLimit = '10mb',
  bodyTimeoutMs,
  requestLimits,
  maxJsonDepth,
  maxJsonValues,
  upstreamTimeoutMs,
  maxUpstreamJsonBytes,
  upstream = {},
  memoryBudget = createMemoryBudget({
    maxBytes: Math.max(DEFAULT_BUFFER_MEMORY_BYTES, parseByteSize(bodyLimit)),
    maxBytesPerClient: Math.max(DEFAULT_BUFFER_MEMORY_PER_CLIENT_BYTES, parseByteSize(bodyLimit)),
  }),
  shutdownSignal,
  logger = createLogger(),
  hashApiKey = createApiKeyHasher(),
  auth = extractApiKey({ hashApiKey }),
  middlewares = [],
  callMiddlewares = [],
  onCallFinished,
  endpoints = OPENAI_ENDPOINTS,
  now = Date.now,
  generateId,
}: OpenAIRouterOptions = {}): Router {
  if (typeof auth !== 'function') throw new TypeError('createOpenAIRouter: auth must be a middleware, such as extractApiKey()');
  if (!middlewares.every((middleware) => typeof middleware === 'function'))
    throw new TypeError('createOpenAIRouter: middlewares must be functions');
  if (!callMiddlewares.every((middleware) => typeof middleware === 'function'))
    throw new TypeError('createOpenAIRouter: callMiddlewares must be functions');
  const router = Router();
  const proxy = createDashScopeProxy({
    timeoutMs: upstreamTimeoutMs,
    maxUpstreamJsonBytes,
    ...upstream,
    baseUrl: dashscopeBaseUrl,
    memoryBudget,
    shutdownSignal,
    logger,
  });
  const parseBody = jsonBody({
    limit: bodyLimit,
    timeoutMs: bodyTimeoutMs,
    budget: memoryBudget,
    maxDepth: maxJsonDepth,
    maxValues: maxJsonValues,
    signal: shutdownSignal,
  });

  if (onCallFinished !== undefined) router.use(reportCalls({ onCallFinished, logger }));
  for (const endpoint of endpoints) {
    const route = router.route(endpoint.path);
    // Named before auth runs, so refused requests are reported under their endpoint too.
    const tagEndpoint: RequestHandler = (_req, res, next) => {
      gatewayState(res).endpoint = endpoint.id;
      next();
    };
    if (endpoint.kind === 'local') {
      route.get(tagEndpoint, auth, ...middlewares, answerLocalEndpoint({ endpoint }));
    } else {
      route.post(
        tagEndpoint,
        auth,
        ...middlewares,
        parseBody,
        rewriteRequest({ endpoint, logger, now, generateId, limits: requestLimits }),
        ...callMiddlewares,
        proxy,
      );
    }
  }
  router.use(openAINotFound());
  router.use(openAIErrorHandler({ logger }));
  return router;
}
