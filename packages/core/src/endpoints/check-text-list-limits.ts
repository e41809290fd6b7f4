import { invalidRequest } from '../errors/gateway-error.js';

/**
 * A raw list of texts (an embedding `input`, a completions `prompt`; one string counts as a list of one)
 * against its caps, before any schema walks it, with OpenAI's wording and codes: at most `maxCount`
 * items, and at most `maxTextLength` characters in all, `alreadyCounted` included. Bounded: the count is
 * the array's length, and counting stops as soon as the text passes its cap. Items that are not strings
 * are left to the schema. Returns the characters counted.
 */
export function checkTextListLimits({
  value,
  param,
  noun,
  maxCount,
  maxTextLength,
  alreadyCounted = 0,
}: {
  value: unknown;
  /** The field, as in `error.param`. */
  param: string;
  /** What one item is called in the message ("inputs", "prompts"). */
  noun: string;
  maxCount: number;
  maxTextLength: number;
  /** Characters the request carries besides the list (an instruction copied into each call). */
  alreadyCounted?: number;
}): number {
  const items = Array.isArray(value) ? value : [value];
  if (items.length > maxCount) {
    throw invalidRequest(
      `Invalid '${param}': array too long. Expected an array with maximum length ${maxCount}, but got an array with length ${items.length} instead.`,
      { param, code: 'array_above_max_length' },
    );
  }
  let textLength = alreadyCounted;
  for (const text of items) {
    if (typeof text !== 'string') continue;
    textLength += text.length;
    if (textLength > maxTextLength) {
      throw invalidRequest(
        `Invalid '${param}': text too long. Expected at most ${maxTextLength} characters of text across all ${noun}, but got at least ${textLength}.`,
        { param, code: 'string_above_max_length' },
      );
    }
  }
  return textLength;
}

/**
 * Whether a raw list holds token ids (numbers, or arrays of them) anywhere: OpenAI takes them for
 * `input` and `prompt`, DashScope takes text only, and the gateway has no tokenizer for its models.
 */
export function holdsTokenIds(value: unknown): boolean {
  return Array.isArray(value) && value.some((item) => typeof item === 'number' || Array.isArray(item));
}
