import type { DashScopeToolCallFragment } from '../dashscope/generation-response-schema.js';
import type { ChatCompletionMessageToolCall } from '../openai/chat-response-types.js';

/**
 * A non-stream reply's tool calls → OpenAI's. DashScope's `index` is dropped (OpenAI's message has none);
 * a call without an id gets one, because clients answer a call by its id.
 */
export function convertDashScopeToolCalls({
  toolCalls,
  generateId,
}: {
  toolCalls: readonly DashScopeToolCallFragment[];
  generateId: () => string;
}): ChatCompletionMessageToolCall[] {
  return toolCalls.map((call) => ({
    id: call.id != null && call.id !== '' ? call.id : toToolCallId(generateId()),
    type: 'function',
    function: { name: call.function?.name ?? '', arguments: call.function?.arguments ?? '' },
  }));
}

/** `call_` and the id's hex digits, the form DashScope's own ids take. */
export function toToolCallId(id: string): string {
  return `call_${id.replace(/[^a-zA-Z0-9]/g, '').slice(0, 24)}`;
}
