import { badUpstreamResponse } from '../errors/upstream-transport-error.js';
import { dashScopeErrorFromBody } from '../errors/dashscope-error-from-body.js';
import { dashScopeGenerationResponseSchema } from '../dashscope/generation-response-schema.js';
import type { ChatCompletion } from '../openai/chat-response-types.js';
import { convertDashScopeUsage } from './convert-dashscope-usage.js';
import { mapDashScopeFinishReason } from './map-dashscope-finish-reason.js';
import { readDashScopeChoices } from './read-dashscope-choices.js';
import { toChatCompletionId } from './to-chat-completion-id.js';

export interface ConvertDashScopeResponseOptions {
  /** The parsed JSON body of a 200 reply. */
  response: unknown;
  /** The model as the client named it. */
  model: string;
  /** Unix seconds for `created`. */
  created: number;
  /** Used for `id` when DashScope sent no request_id. */
  generateId: () => string;
}

/** A native non-stream reply → OpenAI `chat.completion`. Throws a GatewayError for error bodies. */
export function convertDashScopeResponse({ response, model, created, generateId }: ConvertDashScopeResponseOptions): ChatCompletion {
  const parsed = dashScopeGenerationResponseSchema.safeParse(response);
  if (!parsed.success) throw badUpstreamResponse('unexpected JSON shape');
  const body = parsed.data;
  if (body.output === undefined) {
    if (body.code !== undefined) throw dashScopeErrorFromBody({ body, status: 500 });
    throw badUpstreamResponse('no output');
  }
  return {
    id: toChatCompletionId(body.request_id, generateId),
    object: 'chat.completion',
    created,
    model,
    choices: readDashScopeChoices(body).map(({ index, content, reasoningContent, finishReason }) => {
      const message: ChatCompletion['choices'][number]['message'] = { role: 'assistant', content, refusal: null };
      if (reasoningContent !== '') message.reasoning_content = reasoningContent;
      return { index, message, logprobs: null, finish_reason: mapDashScopeFinishReason(finishReason) ?? 'stop' };
    }),
    usage: convertDashScopeUsage({ usage: body.usage }),
  };
}
