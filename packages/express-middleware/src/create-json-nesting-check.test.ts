import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { createJsonNestingCheck, type JsonNestingLimits } from './create-json-nesting-check.js';

const limits: JsonNestingLimits = { maxDepth: 3, maxValues: 5 };

/** The check's answer for `text` fed whole, and fed in two pieces split at every position. */
function answers(text: string, given: JsonNestingLimits = limits): Set<string | undefined> {
  const seen = new Set<string | undefined>();
  const whole = createJsonNestingCheck(given);
  seen.add(whole(text));
  for (let split = 0; split <= text.length; split += 1) {
    const check = createJsonNestingCheck(given);
    seen.add(check(text.slice(0, split)) ?? check(text.slice(split)));
  }
  return seen;
}

/** The values JSON.parse makes of `value`: itself, and each element and member value inside it. */
function countValues(value: unknown): number {
  if (Array.isArray(value)) return 1 + value.reduce((sum: number, element) => sum + countValues(element), 0);
  if (value !== null && typeof value === 'object')
    return 1 + Object.values(value).reduce((sum: number, member) => sum + countValues(member), 0);
  return 1;
}

/** The most values the check lets pass for `text`: the count it makes, found by its answers at each limit. */
function countedValues(text: string): number {
  for (let maxValues = 1; ; maxValues += 1) {
    if (createJsonNestingCheck({ maxDepth: 1000, maxValues })(text) === undefined) return maxValues;
  }
}

describe('createJsonNestingCheck', () => {
  it.each([
    ['[[[]]]', undefined],
    ['[[[[]]]]', 'maxDepth'],
    ['{"a":{"b":{"c":{}}}}', 'maxDepth'],
    ['[[],[],[],[]]', undefined],
    ['[[],[],[],[],[]]', 'maxValues'],
    ['[0,0,0,0]', undefined],
    ['[0,0,0,0,0]', 'maxValues'],
    [' [ 1 , -2.5e3 , true , null ] ', undefined],
    ['["a","b","c","d","e"]', 'maxValues'],
    ['{"a":1,"b":[{"c":null}]}', undefined],
    ['{"a":1,"b":[2,{"c":null}]}', 'maxValues'],
    ['{"a":"x","b":"y","c":"z","d":"w"}', undefined],
    ['{"a":"x","b":"y","c":"z","d":"w","e":"v"}', 'maxValues'],
  ])('%s → %s, wherever the text is split', (text, expected) => {
    expect(answers(text)).toEqual(new Set([expected]));
  });

  it('does not count brackets, commas or colons inside strings, across escaped quotes and backslashes', () => {
    for (const text of ['["[[[,,,[[[", "{{{{{{"]', '["\\"[[[,[[[", "\\\\"]', '["\\\\\\"[[[[[:,,,"]', '{"[[,[:":"]]],]"}']) {
      expect(JSON.parse(text)).toBeDefined();
      expect(answers(text)).toEqual(new Set([undefined]));
    }
  });

  it('counts the brackets after a string that ends in an escaped backslash', () => {
    expect(answers('["\\\\",[[[]]]]')).toEqual(new Set(['maxDepth']));
    expect(answers('["\\\\",0,0,0,0]')).toEqual(new Set(['maxValues']));
  });

  it('keeps counting across pieces: depth and values are the whole text’s', () => {
    const deep = createJsonNestingCheck(limits);
    expect(deep('[[')).toBeUndefined();
    expect(deep(']')).toBeUndefined();
    expect(deep('[[')).toBeUndefined();
    expect(deep('[')).toBe('maxDepth');
    const many = createJsonNestingCheck(limits);
    expect(many('[{},')).toBeUndefined();
    expect(many('{},1')).toBeUndefined();
    // The rest of the same number.
    expect(many('23,')).toBeUndefined();
    expect(many('"x"')).toBeUndefined();
    expect(many(',"y"]')).toBe('maxValues');
  });

  it('counts exactly the values JSON.parse makes, for any JSON text', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.boolean(), (value, spaced) => {
        const text = JSON.stringify(value, null, spaced ? 1 : undefined);
        expect(countedValues(text)).toBe(countValues(JSON.parse(text)));
      }),
      { numRuns: 300 },
    );
  });
});
