// The whole API in one Router, and the one-call mount that also shapes a host parser's errors.
export { createOpenAIRouter, type OpenAIRouterOptions } from './create-openai-router.js';
export { mountOpenAIRouter } from './mount-openai-router.js';

// The pieces, each usable alone.
export { extractApiKey, type ExtractApiKeyOptions } from './extract-api-key.js';
export type { ApiKeyHeader } from './read-api-key.js';
export { createApiKeyHasher, type ApiKeyHasher, type ApiKeyHasherOptions } from './hash-api-key.js';
export { jsonBody, type JsonBodyOptions } from './json-body.js';
export { createMemoryBudget, type MemoryBudget, type MemoryBudgetOptions } from './memory-budget.js';
export { rewriteRequest, type RewriteRequestOptions } from './rewrite-request.js';
// The gateway's own API description: the OpenAPI document and a page of it.
export { openAPIDocument, type OpenAPIDocumentOptions } from './openapi-document.js';
export { docsPage, renderDocsPage, DOCS_PAGE_CSP, type DocsPageOptions } from './docs-page.js';
export { GATEWAY_WARNINGS_HEADER, formatWarningsHeader } from './warnings-header.js';
export { rewriteChatRequest, type RewriteChatRequestOptions } from './rewrite-chat-request.js';
export { answerLocalEndpoint } from './answer-local-endpoint.js';
export { createDashScopeProxy, type DashScopeProxyOptions } from './create-dashscope-proxy.js';
export {
  createDashScopeProxyHandlers,
  type DashScopeProxyHandlers,
  type DashScopeProxyHandlersOptions,
} from './dashscope-proxy-handlers.js';
export { createUpstreamAgent, type UpstreamAgent, type UpstreamAgentOptions } from './create-upstream-agent.js';
export { FORWARDED_REQUEST_HEADERS } from './forwarded-request-headers.js';
export { requestId, type RequestIdOptions } from './request-id.js';
export { openAIErrorHandler, type OpenAIErrorHandlerOptions } from './openai-error-handler.js';
export { openAINotFound } from './not-found.js';
export { sendOpenAIError } from './send-openai-error.js';

// Rate limits for a public service: per client IP, per key, and DashScope calls in flight per key.
export { rateLimitByIp, type RateLimitByIpOptions } from './rate-limit-by-ip.js';
export { clientNetwork } from './client-network.js';
export { rateLimitByKey, type RateLimitByKeyOptions } from './rate-limit-by-key.js';
export { rateLimitRequests, type RateLimitRequestsOptions } from './rate-limit-requests.js';
export type { RequestLimiterOptions, RateLimitRedisClient } from './create-request-limiter.js';
export { limitConcurrentCalls, type LimitConcurrentCallsOptions } from './limit-concurrent-calls.js';
export { createMemoryCallSlots, type CallSlot, type CallSlots } from './call-slots.js';
export { createRedisCallSlots, type RedisCallSlotsClient, type RedisCallSlotsOptions } from './redis-call-slots.js';
export { createRedisCircuit, type RedisCircuit, type RedisCircuitClient, type RedisCircuitOptions } from './redis-circuit.js';
export { RATE_LIMIT_HEADERS, formatOpenAIDuration } from './rate-limit-headers.js';
export { requestRateLimitExceeded, tooManyConcurrentRequests } from './rate-limit-errors.js';

// Observing requests.
export { requestLogger, type RequestLoggerOptions } from './request-logger.js';
export { reportCalls, type ReportCallsOptions } from './report-calls.js';
export type { CallReport } from './call-report.js';
export { createLogger, type Logger, type LoggerOptions, type LogLevel, type LogFormat, type LogFields } from './logger.js';

// Per-request state, for host middlewares that read it (the key's fingerprint, the model, the call).
export { gatewayState, GATEWAY_STATE_KEY, type GatewayRequestState } from './gateway-state.js';
