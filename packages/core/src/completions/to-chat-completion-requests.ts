import type { ChatCompletionRequest } from '../openai/chat-request-schema.js';
import type { CompletionRequest } from './completion-request-schema.js';

/**
 * A legacy completion request → one chat request per prompt, each prompt the only (user) message. Every
 * shared field is passed as is, so the chat endpoint's conversion and checks apply unchanged; the legacy-
 * only fields were refused or found to be no-ops already. A string is one prompt, and so is an array of
 * one string; an array of several strings is several independent prompts (OpenAI's batching).
 */
export function toChatCompletionRequests(request: CompletionRequest): ChatCompletionRequest[] {
  const { prompt, echo: _echo, best_of: _bestOf, suffix: _suffix, logprobs: _logprobs, ...shared } = request;
  const prompts = typeof prompt === 'string' ? [prompt] : prompt;
  return prompts.map((text) => ({ ...shared, messages: [{ role: 'user', content: text }] }));
}
