import type { ErrorRequestHandler, Express, Router } from 'express';
import { createOpenAIRouter, type OpenAIRouterOptions } from './create-openai-router.js';
import { createLogger } from './logger.js';
import { openAIErrorHandler } from './openai-error-handler.js';
import { reportCalls } from './report-calls.js';

/**
 * `app.use(path, router, openAIErrorHandler())` in one call. The error handler at the same path is what
 * makes the host's own errors below it OpenAI-shaped: a JSON parser the host mounted before the
 * router fails before the router runs (malformed JSON, a body over the host's limit), and Express
 * skips routers while an error is pending.
 */
export function mountOpenAIRouter(app: Express | Router, path: string, options: OpenAIRouterOptions = {}): Router {
  if (typeof path !== 'string' || !path.startsWith('/')) throw new TypeError('mountOpenAIRouter: path must start with "/"');
  const logger = options.logger ?? createLogger();
  const router = createOpenAIRouter({ ...options, logger });
  const handleError = openAIErrorHandler({ logger });
  const { onCallFinished } = options;
  // Errors raised before the router (the host's parser) skip it, and its call-finished hook with it.
  const reportAndHandleError: ErrorRequestHandler =
    onCallFinished === undefined
      ? handleError
      : (error, req, res, next) => reportCalls({ onCallFinished, logger })(req, res, () => handleError(error, req, res, next));
  // One signature for both: an Express app and a Router share `use`.
  (app as Router).use(path, router, reportAndHandleError);
  return router;
}
