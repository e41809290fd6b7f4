const CHAT_PREFIX = 'chatcmpl-';

/**
 * The chat conversion's id (`chatcmpl-<DashScope request_id>`, or a generated one) → OpenAI's legacy
 * form, `cmpl-<the same>`: one id that support on both sides can trace.
 */
export function toTextCompletionId(chatCompletionId: string): string {
  return `cmpl-${chatCompletionId.startsWith(CHAT_PREFIX) ? chatCompletionId.slice(CHAT_PREFIX.length) : chatCompletionId}`;
}
