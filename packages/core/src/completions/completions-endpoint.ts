import { convertDashScopeResponse } from '../chat/convert-dashscope-response.js';
import { convertToDashScopeRequest, type ConvertedChatRequest } from '../chat/convert-to-dashscope-request.js';
import { prepareGenerationCall, summarizeCompletion } from '../chat/prepare-generation-call.js';
import type { PrepareContext, UpstreamEndpoint } from '../endpoints/gateway-endpoint.js';
import type { UpstreamCall } from '../endpoints/upstream-call.js';
import { completionRequestSchema, type CompletionRequest } from './completion-request-schema.js';
import { createCompletionChunkMapper } from './completion-chunk-mapper.js';
import { createTextCompletionCollector } from './create-text-completion-collector.js';
import { mergeTextCompletions } from './merge-text-completions.js';
import { parseCompletionRequest } from './parse-completion-request.js';
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

function prepareOne(converted: ConvertedChatRequest, { created, generateId }: PrepareContext): UpstreamCall {
  const { model, includeUsage, choiceCount } = converted;
  return prepareGenerationCall(converted, {
    createStreamMapper: () => createCompletionChunkMapper({ model, includeUsage, created, generateId, choiceCount }),
    createCollector: () => createTextCompletionCollector({ model, created, generateId, choiceCount }),
    convertResponse: (response) => toTextCompletion(convertDashScopeResponse({ response, model, created, generateId })),
  });
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
      return { body: completion, summary: summarizeCompletion(completion, responses[0]) };
    },
  };
}
