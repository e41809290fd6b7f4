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
  const result = chatCompletionRequestSchema.safeParse(rejectUnsupportedParameters(record));
  if (!result.success) throw toValidationError(result.error, record);
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

function toValidationError(error: z.ZodError, body: unknown) {
  const issue = error.issues[0];
  if (issue === undefined) return invalidRequest('The request body is invalid.');
  if (issue.code === 'unrecognized_keys') {
    const param = formatParam([...issue.path, issue.keys[0] ?? '']);
    return invalidRequest(`Unrecognized request argument supplied: ${param}`, { param });
  }
  if (issue.path.length === 0) return invalidRequest(issue.message);
  const param = formatParam(issue.path);
  if (valueAt(body, issue.path) === undefined) {
    return invalidRequest(`Missing required parameter: '${param}'.`, { param, code: 'missing_required_parameter' });
  }
  return invalidRequest(`Invalid value for '${param}': ${issue.message}`, { param, code: 'invalid_value' });
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
