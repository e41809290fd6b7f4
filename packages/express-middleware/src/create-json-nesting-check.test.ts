import { describe, expect, it } from '@jest/globals';
import { createJsonNestingCheck, type JsonNestingLimits } from './create-json-nesting-check.js';

const limits: JsonNestingLimits = { maxDepth: 3, maxContainers: 5 };

/** The check's answer for `text` fed whole, and fed in two pieces split at every position. */
function answers(text: string): Set<string | undefined> {
  const seen = new Set<string | undefined>();
  const whole = createJsonNestingCheck(limits);
  seen.add(whole(text));
  for (let split = 0; split <= text.length; split += 1) {
    const check = createJsonNestingCheck(limits);
    seen.add(check(text.slice(0, split)) ?? check(text.slice(split)));
  }
  return seen;
}

describe('createJsonNestingCheck', () => {
  it.each([
    ['[[[]]]', undefined],
    ['[[[[]]]]', 'maxDepth'],
    ['{"a":{"b":{"c":{}}}}', 'maxDepth'],
    ['[[],[],[],[]]', undefined],
    ['[[],[],[],[],[]]', 'maxContainers'],
    ['{"a":[1,2,{"b":null}]}', undefined],
  ])('%s → %s, wherever the text is split', (text, expected) => {
    expect(answers(text)).toEqual(new Set([expected]));
  });

  it('does not count brackets inside strings, across escaped quotes and backslashes', () => {
    for (const text of ['["[[[[[[", "{{{{{{"]', '["\\"[[[[[[", "\\\\"]', '["\\\\\\"[[[[["]', '{"[[[[":"]]]]"}']) {
      expect(JSON.parse(text)).toBeDefined();
      expect(answers(text)).toEqual(new Set([undefined]));
    }
  });

  it('counts the brackets after a string that ends in an escaped backslash', () => {
    expect(answers('["\\\\",[[[]]]]')).toEqual(new Set(['maxDepth']));
  });

  it('keeps counting across pieces: depth and containers are the whole text’s', () => {
    const deep = createJsonNestingCheck(limits);
    expect(deep('[[')).toBeUndefined();
    expect(deep(']')).toBeUndefined();
    expect(deep('[[')).toBeUndefined();
    expect(deep('[')).toBe('maxDepth');
    const many = createJsonNestingCheck(limits);
    expect(many('[{},')).toBeUndefined();
    expect(many('{},{}')).toBeUndefined();
    expect(many(',{}')).toBeUndefined();
    expect(many(',{}]')).toBe('maxContainers');
  });
});
