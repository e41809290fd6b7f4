import type { ChatCompletion, FinishReason } from '../openai/chat-response-types.js';
import type { TextCompletion, TextCompletionFinishReason } from './text-completion-types.js';
import { toTextCompletionId } from './to-text-completion-id.js';

/**
 * A converted `chat.completion` → OpenAI's `text_completion`: each choice's message content is its text.
 * Reasoning content is left out: the legacy object has no place for it, and a client of this endpoint
 * reads `text` as the answer (its tokens still count in `usage.completion_tokens`).
 */
export function toTextCompletion(completion: ChatCompletion): TextCompletion {
  return {
    id: toTextCompletionId(completion.id),
    object: 'text_completion',
    created: completion.created,
    model: completion.model,
    choices: completion.choices.map(({ index, message, finish_reason: finishReason }) => ({
      text: message.content ?? '',
      index,
      logprobs: null,
      finish_reason: toTextFinishReason(finishReason),
    })),
    usage: completion.usage,
  };
}

/** No tools are sent, so "tool_calls" cannot come; were DashScope to say it anyway, the answer did stop. */
export function toTextFinishReason(finishReason: FinishReason): TextCompletionFinishReason {
  return finishReason === 'tool_calls' ? 'stop' : finishReason;
}
