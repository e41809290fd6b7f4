export { createOpenAIRouter, type OpenAIRouterOptions } from './create-openai-router.js';
export { createDashScopeProxy, type DashScopeProxyOptions } from './create-dashscope-proxy.js';
export { extractApiKey } from './extract-api-key.js';
export { readBearerToken, type BearerToken } from './read-bearer-token.js';
export { createApiKeyHasher, type ApiKeyHasher, type ApiKeyHasherOptions } from './hash-api-key.js';
export { requestLogger, type RequestLoggerOptions } from './request-logger.js';
export {
  createLogger,
  formatLogTimestamp,
  type Logger,
  type LoggerOptions,
  type LogLevel,
  type LogFormat,
  type LogFields,
} from './logger.js';
export { jsonBody, type JsonBodyOptions } from './json-body.js';
export { rewriteChatRequest, type RewriteChatRequestOptions } from './rewrite-chat-request.js';
export { rewriteSseResponse, type RewriteSseResponseOptions } from './rewrite-sse-response.js';
export { rewriteJsonResponse, type RewriteJsonResponseOptions } from './rewrite-json-response.js';
export { listModelsHandler, retrieveModelHandler } from './models-routes.js';
export { openAINotFound } from './not-found.js';
export { openAIErrorHandler, type OpenAIErrorHandlerOptions } from './openai-error-handler.js';
export { sendOpenAIError } from './send-openai-error.js';
export { normalizeError } from './normalize-error.js';
export type { UpstreamExchange } from './express-locals.js';
