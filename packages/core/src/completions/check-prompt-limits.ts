import type { RequestLimits } from '../endpoints/request-limits.js';
import { invalidRequest } from '../errors/gateway-error.js';

/**
 * Most prompts one request may carry, whatever the limits: each is a DashScope call of its own, so a
 * long list would fan one request out into hundreds of billed generations that outlive any timeout.
 */
export const MAX_PROMPTS_PER_REQUEST = 128;

/**
 * The prompt count and total text of a raw completions body against the request limits (a prompt counts
 * as a message), before the schema walks it. Bounded: the count is the array's length, and counting text
 * stops as soon as it passes its cap. Anything that is not a string is left to the schema.
 */
export function checkPromptLimits({ prompt, limits }: { prompt: unknown; limits: RequestLimits }): void {
  const prompts = Array.isArray(prompt) ? prompt : [prompt];
  const maxPrompts = Math.min(limits.maxMessages, MAX_PROMPTS_PER_REQUEST);
  if (prompts.length > maxPrompts) {
    throw invalidRequest(
      `Invalid 'prompt': array too long. Expected an array with maximum length ${maxPrompts}, but got an array with length ${prompts.length} instead.`,
      { param: 'prompt', code: 'array_above_max_length' },
    );
  }
  let textLength = 0;
  for (const text of prompts) {
    if (typeof text !== 'string') continue;
    textLength += text.length;
    if (textLength > limits.maxTextLength) {
      throw invalidRequest(
        `Invalid 'prompt': text too long. Expected at most ${limits.maxTextLength} characters of text across all prompts, but got at least ${textLength}.`,
        { param: 'prompt', code: 'string_above_max_length' },
      );
    }
  }
}
