import { invalidRequest } from '../errors/gateway-error.js';
import { checkMessageLimits } from '../chat/check-message-limits.js';
import { rejectUnsupportedMessageFeatures } from '../chat/reject-unsupported-message-features.js';
import { isRecord } from '../dashscope/is-record.js';
import { DEFAULT_REQUEST_LIMITS, type RequestLimits } from '../endpoints/request-limits.js';
import { chatParameterTable } from '../chat/chat-parameter-table.js';
import { checkParameters } from '../parameters/parameter-table.js';
import type { GatewayWarning } from '../parameters/gateway-warning.js';
import { chatCompletionRequestSchema, type ChatCompletionRequest } from './chat-request-schema.js';
import { parseRequestBody } from './parse-request-body.js';

export interface ParsedChatCompletionRequest {
  request: ChatCompletionRequest;
  /** Harmless inputs that were dropped, for the caller to log or surface. */
  warnings: GatewayWarning[];
}

/**
 * Validates a client's chat request body; throws a 400 GatewayError naming the offending `param`. The
 * request limits are checked first, on the raw body, so an oversized one costs no schema walk.
 */
export function parseChatCompletionRequest(body: unknown, limits: RequestLimits = DEFAULT_REQUEST_LIMITS): ParsedChatCompletionRequest {
  if (isRecord(body)) {
    checkMessageLimits({ messages: body.messages, limits });
    rejectUnsupportedMessageFeatures(body.messages);
  }
  const request = parseRequestBody({ schema: chatCompletionRequestSchema, body });
  if (request.stream_options != null && request.stream !== true) {
    throw invalidRequest("The 'stream_options' parameter is only allowed when 'stream' is enabled.", { param: 'stream_options' });
  }
  if (request.max_tokens != null && request.max_completion_tokens != null && request.max_tokens !== request.max_completion_tokens) {
    throw invalidRequest("'max_tokens' and 'max_completion_tokens' disagree; send only one of them.", { param: 'max_tokens' });
  }
  return { request, warnings: checkParameters({ table: chatParameterTable, request }) };
}
