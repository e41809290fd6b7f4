import type { z } from 'zod';
import { invalidRequest } from '../errors/gateway-error.js';
import { chatCompletionRequestSchema, type ChatCompletionRequest } from './chat-request-schema.js';
import { rejectUnsupportedParameters } from './reject-unsupported-parameters.js';
import { formatParam } from './format-param.js';

export interface ParsedChatCompletionRequest {
  request: ChatCompletionRequest;
  /** Harmless inputs that were dropped, for the caller to log. */
  warnings: string[];
}

const droppedParameters = [
  'user',
  'safety_identifier',
  'prompt_cache_key',
  'parallel_tool_calls',
  'metadata',
  'service_tier',
  'store',
] as const;

/** Validates a client's chat request body; throws a 400 GatewayError naming the offending `param`. */
export function parseChatCompletionRequest(body: unknown): ParsedChatCompletionRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidRequest('The request body must be a JSON object.', { code: 'invalid_request_body' });
  }
  const record = body as Record<string, unknown>;
  const result = chatCompletionRequestSchema.safeParse(rejectUnsupportedParameters(record), { reportInput: true });
  if (!result.success) throw toValidationError(result.error);
  const request = result.data;

  if (request.stream_options != null && request.stream !== true) {
    throw invalidRequest("The 'stream_options' parameter is only allowed when 'stream' is enabled.", { param: 'stream_options' });
  }
  if (request.max_tokens != null && request.max_completion_tokens != null && request.max_tokens !== request.max_completion_tokens) {
    throw invalidRequest("'max_tokens' and 'max_completion_tokens' disagree; send only one of them.", { param: 'max_tokens' });
  }
  const warnings = droppedParameters
    .filter((key) => record[key] != null)
    .map((key) => `Parameter '${key}' was dropped: DashScope has no equivalent.`);
  return { request, warnings };
}

function toValidationError(error: z.ZodError) {
  const issue = error.issues[0];
  if (issue === undefined) return invalidRequest('The request body is invalid.');
  if (issue.code === 'unrecognized_keys') {
    const param = formatParam([...issue.path, issue.keys[0] ?? '']);
    return invalidRequest(`Unrecognized request argument supplied: ${param}`, { param });
  }
  const param = issue.path.length === 0 ? null : formatParam(issue.path);
  const message = param === null ? issue.message : `Invalid value for '${param}': ${issue.message}`;
  return invalidRequest(message, {
    param,
    code: issue.path.length > 0 && isMissing(issue) ? 'missing_required_parameter' : 'invalid_value',
  });
}

function isMissing(issue: z.core.$ZodIssue): boolean {
  return issue.code === 'invalid_type' && issue.input === undefined;
}
