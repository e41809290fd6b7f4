import { invalidParameter } from '../wire-format.js';
import type { ParsedMessage } from './parse-messages.js';

// The order DashScope requires around tool calls (protocol §3.1): tool results answer the calls of the
// nearest assistant turn before them, and all of those calls are answered before the conversation
// moves on to another user or assistant turn.

export const TOOL_WITHOUT_CALLS = 'A "tool" message must follow an "assistant" message with "tool_calls".';

export function validateToolTurns(messages: readonly ParsedMessage[]): void {
  // The calls of the last assistant turn with tool_calls, while tool results may still answer them.
  let openCalls: ReadonlySet<string> | undefined;
  const unanswered = new Set<string>();
  for (const message of messages) {
    if (message.role === 'tool') {
      const id = message.toolCallId ?? '';
      if (openCalls === undefined) throw invalidParameter(TOOL_WITHOUT_CALLS);
      if (!openCalls.has(id)) {
        throw invalidParameter(`The tool_call_id "${id}" does not match any tool call of the preceding assistant message.`);
      }
      unanswered.delete(id);
    } else if (message.role === 'user' || message.role === 'assistant') {
      const [missing] = unanswered;
      if (missing !== undefined) {
        throw invalidParameter(`The tool call "${missing}" must be answered by a "tool" message before the next ${message.role} message.`);
      }
      openCalls = message.toolCallIds.length > 0 ? new Set(message.toolCallIds) : undefined;
      for (const id of message.toolCallIds) unanswered.add(id);
    }
  }
}
