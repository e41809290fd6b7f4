import { checkChatRequest } from '../chat/check-chat-request.js';
import { checkMessageLimits } from '../chat/check-message-limits.js';
import { rejectUnsupportedFeatures } from '../chat/reject-unsupported-features.js';
import { isRecord } from '../dashscope/is-record.js';
import { DEFAULT_REQUEST_LIMITS, type RequestLimits } from '../endpoints/request-limits.js';
import { chatParameterTable } from '../chat/chat-parameter-table.js';
import { checkParameters } from '../parameters/parameter-table.js';
import type { GatewayWarning } from '../parameters/gateway-warning.js';
import { chatCompletionRequestSchema, type ChatCompletionRequest } from './chat-request-schema.js';
import { parseRequestBody } from './parse-request-body.js';

export interface ParsedChatCompletionRequest {
  request: ChatCompletionRequest;
  /** Inputs that were dropped or converted, for the caller to log and surface (`x-gateway-warnings`). */
  warnings: GatewayWarning[];
}

/**
 * Validates a client's chat request body; throws a 400 GatewayError naming the offending `param`. The
 * request limits are checked first, on the raw body, so an oversized one costs no schema walk.
 */
export function parseChatCompletionRequest(body: unknown, limits: RequestLimits = DEFAULT_REQUEST_LIMITS): ParsedChatCompletionRequest {
  if (isRecord(body)) {
    checkMessageLimits({ messages: body.messages, limits });
    rejectUnsupportedFeatures(body);
  }
  const request = parseRequestBody({ schema: chatCompletionRequestSchema, body });
  const warnings = checkParameters({ table: chatParameterTable, request });
  return { request, warnings: [...warnings, ...checkChatRequest(request)] };
}
