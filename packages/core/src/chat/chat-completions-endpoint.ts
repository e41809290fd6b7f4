import type { UpstreamEndpoint } from '../endpoints/gateway-endpoint.js';
import { chatCompletionRequestSchema, type ChatCompletionRequest } from '../openai/chat-request-schema.js';
import { parseChatCompletionRequest } from '../openai/parse-chat-completion-request.js';
import { createChatChunkMapper } from './chat-chunk-mapper.js';
import { convertDashScopeResponse } from './convert-dashscope-response.js';
import { convertToDashScopeRequest } from './convert-to-dashscope-request.js';
import { createChatCompletionCollector } from './create-chat-completion-collector.js';
import { prepareGenerationCall } from './prepare-generation-call.js';

/** POST /v1/chat/completions → DashScope's text- or multimodal-generation endpoint. */
export const chatCompletionsEndpoint: UpstreamEndpoint<ChatCompletionRequest> = {
  kind: 'upstream',
  id: 'chat.completions',
  method: 'POST',
  path: '/chat/completions',
  requestSchema: chatCompletionRequestSchema,
  parse: parseChatCompletionRequest,
  prepare(request, { created, generateId }) {
    const converted = convertToDashScopeRequest({ request });
    const { model, includeUsage, choiceCount } = converted;
    return prepareGenerationCall(converted, {
      createStreamMapper: () => createChatChunkMapper({ model, includeUsage, created, generateId, choiceCount }),
      createCollector: () => createChatCompletionCollector({ model, created, generateId, choiceCount }),
      convertResponse: (response) => convertDashScopeResponse({ response, model, created, generateId }),
    });
  },
};
