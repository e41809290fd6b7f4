import type { RequestLimits } from '../endpoints/request-limits.js';
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
  if (Array.isArray(input) && input.length > maxMessages) {
    // OpenAI's own wording and code for the same mistake.
    throw invalidRequest(
      `Invalid 'input': array too long. Expected an array with maximum length ${maxMessages}, but got an array with length ${input.length} instead.`,
      { param: 'input', code: 'array_above_max_length' },
    );
  }
  const parts = Math.max(1, Math.ceil((Array.isArray(input) ? input.length : 1) / textsPerCall));
  let textLength = typeof instruct === 'string' ? instruct.length * parts : 0;
  if (textLength > maxTextLength) {
    throw invalidRequest(
      `Invalid 'instruct': text too long. It is sent with each of the ${parts} DashScope calls this request needs, ${textLength} characters in all; the limit is ${maxTextLength}.`,
      { param: 'instruct', code: 'string_above_max_length' },
    );
  }
  for (const text of Array.isArray(input) ? input : [input]) {
    if (typeof text !== 'string') continue;
    textLength += text.length;
    if (textLength > maxTextLength) {
      throw invalidRequest(
        `Invalid 'input': text too long. Expected at most ${maxTextLength} characters of text across all inputs, but got at least ${textLength}.`,
        { param: 'input', code: 'string_above_max_length' },
      );
    }
  }
}
