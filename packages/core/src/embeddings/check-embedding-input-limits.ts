import type { RequestLimits } from '../endpoints/request-limits.js';
import { checkTextListLimits } from '../endpoints/check-text-list-limits.js';
import { invalidRequest } from '../errors/gateway-error.js';

/**
 * The input count and total text of a raw embeddings body against the request limits, before anything
 * else walks it: at most `maxMessages` inputs are visited, and counting stops as soon as the text passes
 * its cap. Whatever is not a string is left to the token check and the schema.
 */
export function checkEmbeddingInputLimits({
  input,
  instruct,
  textsPerCall,
  limits,
}: {
  input: unknown;
  /** v4's instruction: sent with every part, so it counts once per part. */
  instruct?: unknown;
  /** How many texts one DashScope call takes, to know how many parts there will be. */
  textsPerCall: number;
  limits: RequestLimits;
}): void {
  const { maxMessages, maxTextLength } = limits;
  const count = Array.isArray(input) ? input.length : 1;
  const parts = Math.max(1, Math.ceil(Math.min(count, maxMessages) / textsPerCall));
  const instructLength = typeof instruct === 'string' ? instruct.length * parts : 0;
  if (instructLength > maxTextLength) {
    throw invalidRequest(
      `Invalid 'instruct': text too long. It is sent with each of the ${parts} DashScope calls this request needs, ${instructLength} characters in all; the limit is ${maxTextLength}.`,
      { param: 'instruct', code: 'string_above_max_length' },
    );
  }
  checkTextListLimits({
    value: input,
    param: 'input',
    noun: 'inputs',
    maxCount: maxMessages,
    maxTextLength,
    alreadyCounted: instructLength,
  });
}
