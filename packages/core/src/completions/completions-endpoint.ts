import { convertDashScopeResponse } from '../chat/convert-dashscope-response.js';
import { convertToDashScopeRequest, type ConvertedChatRequest } from '../chat/convert-to-dashscope-request.js';
import type { PrepareContext, UpstreamEndpoint } from '../endpoints/gateway-endpoint.js';
import type { CallSummary, UpstreamCall } from '../endpoints/upstream-call.js';
import { createStreamTranslator } from '../stream/create-stream-translator.js';
import { completionRequestSchema, type CompletionRequest } from './completion-request-schema.js';
import { createCompletionChunkMapper } from './completion-chunk-mapper.js';
import { createTextCompletionCollector } from './create-text-completion-collector.js';
import { mergeTextCompletions } from './merge-text-completions.js';
import { parseCompletionRequest } from './parse-completion-request.js';
import type { TextCompletion } from './text-completion-types.js';
import { toChatCompletionRequests } from './to-chat-completion-requests.js';
import { toTextCompletion } from './to-text-completion.js';

export { completionRequestSchema, type CompletionRequest } from './completion-request-schema.js';

/**
 * POST /v1/completions (OpenAI's legacy completions) → DashScope's generation endpoints, by way of the chat
 * conversion: each prompt is the one user message of a chat request. One prompt is one call, JSON,
 * streamed or collected, as chat would make it; several prompts (non-stream only, see
 * check-completion-request.ts) are a batch of calls whose answers are merged into one `text_completion`.
 */
export const completionsEndpoint: UpstreamEndpoint<CompletionRequest> = {
  kind: 'upstream',
  id: 'completions.create',
  method: 'POST',
  path: '/completions',
  requestSchema: completionRequestSchema,
  parse: parseCompletionRequest,
  prepare(request, context) {
    const calls = toChatCompletionRequests(request).map((chatRequest) => convertToDashScopeRequest({ request: chatRequest }));
    const [first] = calls;
    if (first === undefined) throw new TypeError('completionsEndpoint: a request without prompts passed the parser');
    if (calls.length === 1) return prepareOne(first, context);
    return prepareBatch(calls, first, context);
  },
};

function prepareOne(
  { path, body, mode, includeUsage, model, choiceCount }: ConvertedChatRequest,
  { created, generateId }: PrepareContext,
): UpstreamCall {
  if (mode === 'stream') {
    return {
      kind: 'sse',
      path,
      body,
      model,
      createStreamTranslator: (limits) =>
        createStreamTranslator({ mapper: createCompletionChunkMapper({ model, includeUsage, created, generateId, choiceCount }), limits }),
    };
  }
  if (mode === 'collect') {
    return {
      kind: 'sse',
      respondAs: 'json',
      path,
      body,
      model,
      createStreamTranslator: (limits) =>
        createStreamTranslator({ mapper: createTextCompletionCollector({ model, created, generateId, choiceCount }), limits }),
    };
  }
  return {
    kind: 'json',
    path,
    body,
    model,
    convertResponse(response) {
      const completion = toTextCompletion(convertDashScopeResponse({ response, model, created, generateId }));
      return { body: completion, summary: summarize(completion, response) };
    },
  };
}

/** Every prompt's body goes to the same path: the model, and so the endpoint, is the same for all. */
function prepareBatch(
  calls: readonly ConvertedChatRequest[],
  { path, body, model, choiceCount }: ConvertedChatRequest,
  { created, generateId }: PrepareContext,
): UpstreamCall {
  return {
    kind: 'batch',
    path,
    body,
    bodies: calls.map((call) => call.body),
    model,
    convertResponses(responses) {
      const completions = responses.map((response) => toTextCompletion(convertDashScopeResponse({ response, model, created, generateId })));
      const completion = mergeTextCompletions({ completions, choiceCount });
      return { body: completion, summary: summarize(completion, responses[0]) };
    },
  };
}

function summarize(completion: TextCompletion, response: unknown): CallSummary {
  const requestId = (response as { request_id?: unknown } | undefined)?.request_id;
  return {
    usage: completion.usage,
    finishReason: completion.choices[0]?.finish_reason ?? null,
    requestId: typeof requestId === 'string' && requestId !== '' ? requestId : undefined,
  };
}
