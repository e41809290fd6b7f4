import type { DashScopeLogprobs } from '../dashscope/generation-response-schema.js';
import type { ChoiceLogprobs, TokenLogprob } from '../openai/chat-response-types.js';

/**
 * DashScope's `logprobs` (already OpenAI's shape) → OpenAI's, field by field, so nothing DashScope adds
 * reaches the client unchecked. Null when DashScope sent none.
 */
export function convertDashScopeLogprobs(logprobs: DashScopeLogprobs | null | undefined): ChoiceLogprobs | null {
  if (logprobs == null) return null;
  const content = logprobs.content;
  return {
    content:
      content == null
        ? null
        : content.map((entry): TokenLogprob => ({
            token: entry.token,
            logprob: entry.logprob,
            bytes: entry.bytes ?? null,
            top_logprobs: (entry.top_logprobs ?? []).map((top) => ({ token: top.token, logprob: top.logprob, bytes: top.bytes ?? null })),
          })),
    refusal: null,
  };
}
