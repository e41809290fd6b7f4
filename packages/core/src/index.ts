// Errors: one type, one mapping to OpenAI's error body.
export { GatewayError, isGatewayError, invalidRequest, type GatewayErrorOptions, type OpenAIErrorType } from './errors/gateway-error.js';
export { toOpenAIError, type OpenAIErrorBody, type OpenAIErrorResponse } from './errors/to-openai-error.js';
export { parseDashScopeErrorResponse, type DashScopeErrorResponse } from './errors/parse-dashscope-error-response.js';
export {
  upstreamUnreachable,
  upstreamTimeout,
  upstreamConnectionLost,
  upstreamStreamTruncated,
  badUpstreamResponse,
  upstreamConnectTimeout,
  upstreamBusy,
  upstreamStreamTimeout,
  upstreamAnswerTooLarge,
} from './errors/upstream-transport-error.js';
export { serverBusy, serverShuttingDown, clientSendTimeout } from './errors/capacity-error.js';

// The endpoint table and what its entries are made of.
export { OPENAI_ENDPOINTS } from './endpoints/openai-endpoints.js';
export type { GatewayEndpoint, LocalEndpoint, UpstreamEndpoint, PrepareContext } from './endpoints/gateway-endpoint.js';
export { DEFAULT_REQUEST_LIMITS, assertRequestLimits, type RequestLimits } from './endpoints/request-limits.js';
export type {
  UpstreamCall,
  JsonUpstreamCall,
  BatchUpstreamCall,
  SseUpstreamCall,
  CallSummary,
  CallUsage,
} from './endpoints/upstream-call.js';
export { checkParameters, moveParameters, type ParameterRule, type ParameterTable } from './parameters/parameter-table.js';
export type { GatewayWarning } from './parameters/gateway-warning.js';
export { parseRequestBody } from './openai/parse-request-body.js';

// Chat completions.
export { chatCompletionsEndpoint } from './chat/chat-completions-endpoint.js';
export { listModelsEndpoint, retrieveModelEndpoint } from './models/models-endpoints.js';
export { chatCompletionRequestSchema, type ChatCompletionRequest, type ChatMessage } from './openai/chat-request-schema.js';
export { parseChatCompletionRequest, type ParsedChatCompletionRequest } from './openai/parse-chat-completion-request.js';
export { checkMessageLimits } from './chat/check-message-limits.js';
export { chatParameterTable } from './chat/chat-parameter-table.js';
export { convertToDashScopeRequest, type ConvertedChatRequest } from './chat/convert-to-dashscope-request.js';
export { convertDashScopeResponse, type ConvertDashScopeResponseOptions } from './chat/convert-dashscope-response.js';
export { createChatStreamTranslator, type ChatStreamTranslatorOptions } from './chat/create-chat-stream-translator.js';
export { createChatChunkMapper, type ChatChunkMapperOptions } from './chat/chat-chunk-mapper.js';
export { createChatCompletionCollector } from './chat/create-chat-completion-collector.js';
export { planThinking, type ThinkingPlan } from './chat/plan-thinking.js';
export type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionChunkDelta,
  ChatCompletionChunkToolCall,
  ChatCompletionMessageToolCall,
  ChoiceLogprobs,
  TokenLogprob,
  CompletionUsage,
  FinishReason,
} from './openai/chat-response-types.js';

// The staged stream pipeline: DashScope SSE → events → an endpoint's parts → OpenAI SSE.
export { createDashScopeEventDecoder, type DashScopeEventDecoder, type DashScopeStreamEvent } from './stream/dashscope-event-decoder.js';
export {
  createStreamTranslator,
  type StreamMapper,
  type StreamTranslator,
  type StreamTranslatorOptions,
} from './stream/create-stream-translator.js';
export { DEFAULT_STREAM_LIMITS, type StreamLimits } from './stream/stream-limits.js';
export { encodeStreamPart, encodeStreamParts } from './stream/sse-encoder.js';
export type { StreamPart } from './stream/stream-part.js';

// Legacy completions.
export { completionsEndpoint, completionRequestSchema, type CompletionRequest } from './completions/completions-endpoint.js';
export { parseCompletionRequest, type ParsedCompletionRequest } from './completions/parse-completion-request.js';
export { createCompletionChunkMapper } from './completions/completion-chunk-mapper.js';
export { createTextCompletionCollector } from './completions/create-text-completion-collector.js';
export { MAX_PROMPTS_PER_REQUEST } from './completions/check-prompt-limits.js';
export type {
  TextCompletion,
  TextCompletionChoice,
  TextCompletionChunk,
  TextCompletionChunkChoice,
  TextCompletionFinishReason,
} from './completions/text-completion-types.js';

// Embeddings.
export { embeddingsEndpoint } from './embeddings/embeddings-endpoint.js';
export { embeddingRequestSchema, type EmbeddingRequest } from './embeddings/embedding-request-schema.js';
export { parseEmbeddingRequest, type ParsedEmbeddingRequest } from './embeddings/parse-embedding-request.js';
export { embeddingParameterTable } from './embeddings/embedding-parameter-table.js';
export { toDashScopeEmbeddingRequests, type DashScopeEmbeddingCall } from './embeddings/to-dashscope-embedding-requests.js';
export {
  convertDashScopeEmbeddingResponses,
  type ConvertDashScopeEmbeddingResponsesOptions,
} from './embeddings/convert-dashscope-embedding-responses.js';
export { encodeEmbeddingBase64 } from './embeddings/encode-embedding-base64.js';
export type { EmbeddingResponse, Embedding, EmbeddingEncodingFormat } from './embeddings/embedding-response-types.js';
export type { DashScopeEmbeddingRequest, DashScopeEmbeddingParameters } from './embeddings/dashscope-embedding-request.js';

// The gateway's own OpenAPI document, generated from the endpoint table.
export { buildOpenAPIDocument, type BuildOpenAPIDocumentOptions } from './openapi/build-openapi-document.js';
export { ENDPOINT_DOCS, type EndpointDoc } from './openapi/endpoint-docs.js';
export type { DocumentationPaths } from './openapi/service-paths.js';
export type {
  OpenAPIDocument,
  OperationObject,
  PathItemObject,
  ResponseObject,
  RequestBodyObject,
  ParameterObject,
  MediaTypeObject,
  HeaderObject,
  ExampleObject,
  Reference,
  JsonSchema,
  SecurityRequirement,
  HttpMethod,
} from './openapi/openapi-types.js';

// DashScope's side.
export { DASHSCOPE_PATHS, DASHSCOPE_PATH_BY_KIND, type DashScopeEndpointKind } from './dashscope/dashscope-paths.js';
export type {
  DashScopeContentItem,
  DashScopeGenerationRequest,
  DashScopeMessage,
  DashScopeParameters,
  DashScopeToolCall,
} from './dashscope/generation-request.js';

// Models.
export {
  MODEL_CATALOGUE,
  findCatalogueModel,
  listModels,
  retrieveModel,
  type CatalogueModel,
  type ModelCapabilities,
  type ThinkingMode,
  type EmbeddingLimits,
  type OpenAIModel,
  type OpenAIModelList,
} from './models/model-catalogue.js';
