import type { FinishReason } from '../openai/chat-response-types.js';

export type OpenAIFinishReason = FinishReason;

/**
 * DashScope's finish_reason → OpenAI's. While a stream runs DashScope sends the *string* "null";
 * JSON null and "" also mean "not finished" (returned as null). Unknown reasons count as "stop".
 */
export function mapDashScopeFinishReason(finishReason: string | null | undefined): OpenAIFinishReason | null {
  switch (finishReason) {
    case undefined:
    case null:
    case '':
    case 'null':
      return null;
    case 'length':
      return 'length';
    case 'tool_calls':
      return 'tool_calls';
    case 'content_filter':
      return 'content_filter';
    default:
      return 'stop';
  }
}

/**
 * The finish reason of a choice that may have called tools: OpenAI says "tool_calls" whenever the
 * message carries calls, DashScope says "stop" when `tool_choice` forced them. A cut answer stays "length".
 */
export function finishReasonWithToolCalls(finishReason: string | null | undefined, calledTools: boolean): OpenAIFinishReason | null {
  const mapped = mapDashScopeFinishReason(finishReason);
  return calledTools && mapped === 'stop' ? 'tool_calls' : mapped;
}
