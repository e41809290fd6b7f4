import { badUpstreamResponse } from '../errors/upstream-transport-error.js';
import { dashScopeErrorFromBody } from '../errors/dashscope-error-from-body.js';
import { dashScopeGenerationResponseSchema } from '../dashscope/generation-response-schema.js';
import type { ChatCompletion } from '../openai/chat-response-types.js';
import { convertDashScopeLogprobs } from './convert-dashscope-logprobs.js';
import { convertDashScopeToolCalls } from './convert-dashscope-tool-calls.js';
import { convertDashScopeUsage } from './convert-dashscope-usage.js';
import { finishReasonWithToolCalls } from './map-dashscope-finish-reason.js';
import { readDashScopeChoices } from './read-dashscope-choices.js';
import { toChatCompletionId } from './to-chat-completion-id.js';

export interface ConvertDashScopeResponseOptions {
  /** The parsed JSON body of a 200 reply. */
  response: unknown;
  /** The model as the client named it. */
  model: string;
  /** Unix seconds for `created`. */
  created: number;
  /** Used for `id` (and tool call ids) when DashScope sent none. */
  generateId: () => string;
}

/**
 * A native non-stream reply → OpenAI `chat.completion`. Throws a GatewayError for error bodies. A message
 * that calls tools has `content: null` (DashScope sends "") and finishes with "tool_calls" whatever
 * DashScope says (it says "stop" when the call was forced by `tool_choice`).
 */
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
    choices: readDashScopeChoices(body).map(({ index, content, reasoningContent, toolCalls, logprobs, finishReason }) => {
      const message: ChatCompletion['choices'][number]['message'] = { role: 'assistant', content, refusal: null };
      if (reasoningContent !== '') message.reasoning_content = reasoningContent;
      if (toolCalls.length > 0) {
        message.tool_calls = convertDashScopeToolCalls({ toolCalls, generateId });
        if (content === '') message.content = null;
      }
      return {
        index,
        message,
        logprobs: convertDashScopeLogprobs(logprobs),
        finish_reason: finishReasonWithToolCalls(finishReason, toolCalls.length > 0) ?? 'stop',
      };
    }),
    usage: convertDashScopeUsage({ usage: body.usage }),
  };
}
