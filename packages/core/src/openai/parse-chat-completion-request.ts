import { invalidRequest } from '../errors/gateway-error.js';
import { rejectUnsupportedMessageFeatures } from '../chat/reject-unsupported-message-features.js';
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

/** Validates a client's chat request body; throws a 400 GatewayError naming the offending `param`. */
export function parseChatCompletionRequest(body: unknown): ParsedChatCompletionRequest {
  if (typeof body === 'object' && body !== null) rejectUnsupportedMessageFeatures((body as { messages?: unknown }).messages);
  const request = parseRequestBody({ schema: chatCompletionRequestSchema, body });
  if (request.stream_options != null && request.stream !== true) {
    throw invalidRequest("The 'stream_options' parameter is only allowed when 'stream' is enabled.", { param: 'stream_options' });
  }
  if (request.max_tokens != null && request.max_completion_tokens != null && request.max_tokens !== request.max_completion_tokens) {
    throw invalidRequest("'max_tokens' and 'max_completion_tokens' disagree; send only one of them.", { param: 'max_tokens' });
  }
  return { request, warnings: checkParameters({ table: chatParameterTable, request }) };
}
