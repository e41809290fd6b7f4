import { isRecord } from '../dashscope/is-record.js';
import { DEFAULT_REQUEST_LIMITS, type RequestLimits } from '../endpoints/request-limits.js';
import { parseRequestBody } from '../openai/parse-request-body.js';
import type { GatewayWarning } from '../parameters/gateway-warning.js';
import { checkParameters } from '../parameters/parameter-table.js';
import { checkCompletionRequest } from './check-completion-request.js';
import { checkPromptLimits } from './check-prompt-limits.js';
import { completionParameterTable } from './completion-parameter-table.js';
import { completionRequestSchema, type CompletionRequest } from './completion-request-schema.js';
import { rejectUnsupportedCompletionFeatures } from './reject-unsupported-completion-features.js';
import { toChatCompletionRequests } from './to-chat-completion-requests.js';

export interface ParsedCompletionRequest {
  request: CompletionRequest;
  /** Inputs that were dropped or converted, for the caller to log and surface (`x-gateway-warnings`). */
  warnings: GatewayWarning[];
}

/**
 * Validates a client's legacy completions body; throws a 400 GatewayError naming the offending `param`.
 * The request limits are checked first, on the raw body, so an oversized one costs no schema walk.
 */
export function parseCompletionRequest(body: unknown, limits: RequestLimits = DEFAULT_REQUEST_LIMITS): ParsedCompletionRequest {
  if (isRecord(body)) {
    checkPromptLimits({ prompt: body.prompt, limits });
    rejectUnsupportedCompletionFeatures(body);
  }
  const request = parseRequestBody({ schema: completionRequestSchema, body });
  const warnings = checkParameters({ table: completionParameterTable, request });
  warnings.push(...checkCompletionRequest(request, toChatCompletionRequests(request)));
  return { request, warnings };
}
