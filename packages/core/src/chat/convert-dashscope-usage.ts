import type { DashScopeUsage } from '../dashscope/generation-response-schema.js';
import type { CompletionUsage } from '../openai/chat-response-types.js';

/** DashScope's input/output/total tokens → OpenAI's prompt/completion/total tokens. */
export function convertDashScopeUsage({ usage }: { usage: DashScopeUsage | undefined }): CompletionUsage {
  const promptTokens = usage?.input_tokens ?? 0;
  const completionTokens = usage?.output_tokens ?? 0;
  const converted: CompletionUsage = {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    // Missing on some multimodal replies: the sum is what DashScope reports elsewhere.
    total_tokens: usage?.total_tokens ?? promptTokens + completionTokens,
  };
  const cachedTokens = usage?.prompt_tokens_details?.cached_tokens;
  if (cachedTokens !== undefined) converted.prompt_tokens_details = { cached_tokens: cachedTokens };
  const reasoningTokens = usage?.output_tokens_details?.reasoning_tokens;
  if (reasoningTokens !== undefined) converted.completion_tokens_details = { reasoning_tokens: reasoningTokens };
  return converted;
}
