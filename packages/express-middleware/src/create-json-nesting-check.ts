export interface JsonNestingLimits {
  /** Deepest nesting of objects and arrays. */
  maxDepth: number;
  /** Most objects and arrays in one text. */
  maxContainers: number;
}

/** Which limit a JSON text went over. */
export type JsonNestingExcess = 'maxDepth' | 'maxContainers';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * Counts the nesting of a JSON text before JSON.parse builds it: 10 MB of `[` parse into millions of
 * nested arrays, and `[[],[],…]` into millions of small ones, hundreds of MB of heap from a body that
 * gzips to kilobytes. The check is fed the text in pieces, in order (a piece may end anywhere, inside a
 * string or an escape), and returns the first limit the text so far goes over. It follows only what
 * JSON.parse would build: brackets inside strings do not count. It does not validate: JSON.parse still
 * refuses what is malformed, and stops at the first error, so it builds nothing past it.
 */
export function createJsonNestingCheck({ maxDepth, maxContainers }: JsonNestingLimits) {
  let depth = 0;
  let containers = 0;
  let inString = false;
  let escaped = false;

  return function checkJsonNesting(text: string): JsonNestingExcess | undefined {
    for (let index = 0; index < text.length; index += 1) {
      const code = text.charCodeAt(index);
      if (inString) {
        if (escaped) escaped = false;
        else if (code === BACKSLASH) escaped = true;
        else if (code === QUOTE) inString = false;
        continue;
      }
      if (code === QUOTE) {
        inString = true;
      } else if (code === OPEN_BRACKET || code === OPEN_BRACE) {
        depth += 1;
        containers += 1;
        if (depth > maxDepth) return 'maxDepth';
        if (containers > maxContainers) return 'maxContainers';
      } else if ((code === CLOSE_BRACKET || code === CLOSE_BRACE) && depth > 0) {
        depth -= 1;
      }
    }
    return undefined;
  };
}
