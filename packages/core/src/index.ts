export { GatewayError, isGatewayError, invalidRequest, type GatewayErrorOptions, type OpenAIErrorType } from './errors/gateway-error.js';
export { toOpenAIError, type OpenAIErrorBody, type OpenAIErrorResponse } from './errors/to-openai-error.js';
export { fromDashScopeError, toSnakeCaseCode, type DashScopeFailure } from './errors/dashscope-error-map.js';
export { parseDashScopeErrorResponse, type DashScopeErrorResponse } from './errors/parse-dashscope-error-response.js';
export {
  upstreamUnreachable,
  upstreamTimeout,
  upstreamConnectionLost,
  upstreamStreamTruncated,
  badUpstreamResponse,
} from './errors/upstream-transport-error.js';

export { chatCompletionRequestSchema, type ChatCompletionRequest, type ChatMessage } from './openai/chat-request-schema.js';
export { parseChatCompletionRequest, type ParsedChatCompletionRequest } from './openai/parse-chat-completion-request.js';
export type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionChunkDelta,
  CompletionUsage,
  FinishReason,
} from './openai/chat-response-types.js';

export {
  DASHSCOPE_TEXT_GENERATION_PATH,
  type DashScopeMessage,
  type DashScopeParameters,
  type DashScopeTextGenerationRequest,
} from './dashscope/text-generation-request.js';

export { convertToDashScopeMessages } from './chat/convert-to-dashscope-messages.js';
export { convertToDashScopeRequest, type ConvertedChatRequest } from './chat/convert-to-dashscope-request.js';
export { convertDashScopeResponse, type ConvertDashScopeResponseOptions } from './chat/convert-dashscope-response.js';
export { mapDashScopeFinishReason } from './chat/map-dashscope-finish-reason.js';
export { convertDashScopeUsage } from './chat/convert-dashscope-usage.js';

export { createSseParser, type SseEvent, type SseParser } from './stream/sse-decoder.js';
export { createChatChunkMapper, type ChatChunkMapper, type ChatChunkMapperOptions } from './stream/chat-chunk-mapper.js';
export { createChatStreamTranslator } from './stream/create-chat-stream-translator.js';
export { encodeChatStreamPart } from './stream/sse-encoder.js';
export type { ChatStreamPart } from './stream/chat-stream-part.js';

export {
  MODEL_CATALOGUE,
  findCatalogueModel,
  listModels,
  retrieveModel,
  type CatalogueModel,
  type OpenAIModel,
  type OpenAIModelList,
} from './models/model-catalogue.js';
export { DASHSCOPE_PATHS, DASHSCOPE_PATH_BY_KIND, type DashScopeEndpointKind } from './dashscope/dashscope-paths.js';
