import type { RequestLimits } from '../endpoints/request-limits.js';
import { checkTextListLimits } from '../endpoints/check-text-list-limits.js';

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
  checkTextListLimits({
    value: prompt,
    param: 'prompt',
    noun: 'prompts',
    maxCount: Math.min(limits.maxMessages, MAX_PROMPTS_PER_REQUEST),
    maxTextLength: limits.maxTextLength,
  });
}
