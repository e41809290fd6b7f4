import type { UpstreamEndpoint } from '../endpoints/gateway-endpoint.js';
import { createStreamTranslator } from '../stream/create-stream-translator.js';
import { chatCompletionRequestSchema, type ChatCompletionRequest } from '../openai/chat-request-schema.js';
import { parseChatCompletionRequest } from '../openai/parse-chat-completion-request.js';
import { convertDashScopeResponse } from './convert-dashscope-response.js';
import { convertToDashScopeRequest } from './convert-to-dashscope-request.js';
import { createChatCompletionCollector } from './create-chat-completion-collector.js';
import { createChatStreamTranslator } from './create-chat-stream-translator.js';

/** POST /v1/chat/completions → DashScope's text- or multimodal-generation endpoint. */
export const chatCompletionsEndpoint: UpstreamEndpoint<ChatCompletionRequest> = {
  kind: 'upstream',
  id: 'chat.completions',
  method: 'POST',
  path: '/chat/completions',
  requestSchema: chatCompletionRequestSchema,
  parse: parseChatCompletionRequest,
  prepare(request, { created, generateId }) {
    const { path, body, mode, includeUsage, model, choiceCount } = convertToDashScopeRequest({ request });
    if (mode === 'stream') {
      return {
        kind: 'sse',
        path,
        body,
        model,
        createStreamTranslator: (limits) => createChatStreamTranslator({ model, includeUsage, created, generateId, choiceCount, limits }),
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
          createStreamTranslator({ mapper: createChatCompletionCollector({ model, created, generateId, choiceCount }), limits }),
      };
    }
    return {
      kind: 'json',
      path,
      body,
      model,
      convertResponse(response) {
        const completion = convertDashScopeResponse({ response, model, created, generateId });
        const requestId = (response as { request_id?: unknown }).request_id;
        return {
          body: completion,
          summary: {
            usage: completion.usage,
            finishReason: completion.choices[0]?.finish_reason ?? null,
            requestId: typeof requestId === 'string' && requestId !== '' ? requestId : undefined,
          },
        };
      },
    };
  },
};
