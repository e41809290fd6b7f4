export interface JsonNestingLimits {
  /** Deepest nesting of objects and arrays. */
  maxDepth: number;
  /** Most values in one text: the text's own value, every array element and every object member's value. */
  maxValues: number;
}

/** Which limit a JSON text went over. */
export type JsonNestingExcess = 'maxDepth' | 'maxValues';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const COMMA = 0x2c;
const COLON = 0x3a;
const SPACE = 0x20;
const TAB = 0x09;
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;

// What the scanner waits for next, outside strings.
/** A value: at the start, after `[`, after `,` in an array, after `:`. */
const EXPECT_VALUE = 0;
/** A member name: after `{`, after `,` in an object. */
const EXPECT_NAME = 1;
/** `,`, `:` or a closing bracket: inside or after a number or literal, after a string, a name or a closed container. */
const EXPECT_SEPARATOR = 2;

/**
 * Sizes a JSON text up before JSON.parse builds it: 10 MB of `[` parse into millions of nested arrays,
 * `[[],[],…]` into millions of small ones, and `[0,0,…]` or `["a","b",…]` into an array of millions of
 * elements: hundreds of MB of heap, from a body within every size limit that gzips to kilobytes. The
 * check counts the depth of objects and arrays, and the values JSON.parse would make: the text's own
 * value, each array element and each object member's value (a member's name is counted with its value;
 * every object and array is a value too). It is fed the text in pieces, in order (a piece may end
 * anywhere, inside a string or an escape), and returns the first limit the text so far goes over.
 *
 * It follows JSON's grammar as far as counting needs (brackets and commas inside strings do not count;
 * a value is counted where it starts) but does not validate: on a valid text its count is exact, and
 * on an invalid one it is exact up to the first error, where JSON.parse stops building.
 */
export function createJsonNestingCheck({ maxDepth, maxValues }: JsonNestingLimits) {
  // Whether each open container is an object, innermost last (at most maxDepth of them).
  const inObject: boolean[] = [];
  let values = 0;
  let awaiting: number = EXPECT_VALUE;
  let inString = false;
  let escaped = false;

  return function checkJsonNesting(text: string): JsonNestingExcess | undefined {
    // Inside a string only a quote or a backslash matters: the scan jumps to the next of either with
    // native searches (a 10 MB base64 image is then two searches, not ten million steps). Their
    // positions are kept until passed, so a string full of escapes is still searched once.
    let nextQuote = -1;
    let nextBackslash = -1;
    for (let index = 0; index < text.length; index += 1) {
      if (inString) {
        if (escaped) {
          escaped = false;
          continue;
        }
        if (nextQuote < index) nextQuote = positionOf(text, '"', index);
        if (nextBackslash < index) nextBackslash = positionOf(text, '\\', index);
        index = Math.min(nextQuote, nextBackslash);
        if (index === text.length) break;
        if (index === nextBackslash) escaped = true;
        else inString = false;
        continue;
      }
      const code = text.charCodeAt(index);
      if (code === SPACE || code === LINE_FEED || code === CARRIAGE_RETURN || code === TAB) continue;
      if (code === COMMA) {
        awaiting = inObject[inObject.length - 1] === true ? EXPECT_NAME : EXPECT_VALUE;
        continue;
      }
      if (code === COLON) {
        awaiting = EXPECT_VALUE;
        continue;
      }
      if (code === CLOSE_BRACKET || code === CLOSE_BRACE) {
        inObject.pop();
        awaiting = EXPECT_SEPARATOR;
        continue;
      }
      // Anything else starts a token: a value where one is expected, a name where a name is.
      if (awaiting === EXPECT_VALUE) {
        values += 1;
        if (values > maxValues) return 'maxValues';
      }
      if (code === OPEN_BRACKET || code === OPEN_BRACE) {
        inObject.push(code === OPEN_BRACE);
        if (inObject.length > maxDepth) return 'maxDepth';
        awaiting = code === OPEN_BRACE ? EXPECT_NAME : EXPECT_VALUE;
      } else {
        if (code === QUOTE) inString = true;
        awaiting = EXPECT_SEPARATOR;
      }
    }
    return undefined;
  };
}

/** Where `search` next occurs from `from` on, or the text's length when it does not. */
function positionOf(text: string, search: string, from: number): number {
  const found = text.indexOf(search, from);
  return found === -1 ? text.length : found;
}
