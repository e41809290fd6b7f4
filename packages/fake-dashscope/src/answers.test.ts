import { describe, expect, it } from '@jest/globals';
import { planAnswer, tokenizeAnswer } from './answers/answer-text.js';

describe('tokenizeAnswer', () => {
  it('splits into tokens of 1 to 3 code points that join back to the text', () => {
    const text = '您好！这是模拟的 DashScope 回答 😊 You said: 👍🏽 ok';
    const tokens = tokenizeAnswer(text);
    expect(tokens.join('')).toBe(text);
    for (const token of tokens) {
      expect(Array.from(token).length).toBeGreaterThanOrEqual(1);
      expect(Array.from(token).length).toBeLessThanOrEqual(3);
    }
  });

  it('never splits a surrogate pair', () => {
    const tokens = tokenizeAnswer('a😊b😊😊c😊😊😊');
    for (const token of tokens) {
      expect(token).not.toMatch(/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/);
    }
  });

  it('is deterministic and empty for empty text', () => {
    expect(tokenizeAnswer('hello world')).toEqual(tokenizeAnswer('hello world'));
    expect(tokenizeAnswer('')).toEqual([]);
  });
});

describe('planAnswer', () => {
  it('keeps the whole text with finish "stop" by default', () => {
    const plan = planAnswer({ text: 'hello world', stop: [], maxTokens: undefined });
    expect(plan.tokens.join('')).toBe('hello world');
    expect(plan.finishReason).toBe('stop');
  });

  it('cuts before the earliest stop string', () => {
    const plan = planAnswer({ text: 'one, two; three', stop: ['three', ';', 'absent'], maxTokens: undefined });
    expect(plan.tokens.join('')).toBe('one, two');
    expect(plan.finishReason).toBe('stop');
  });

  it('truncates to maxTokens with finish "length"', () => {
    const plan = planAnswer({ text: 'abcdefghijklmnop', stop: [], maxTokens: 2 });
    expect(plan.tokens).toHaveLength(2);
    expect(plan.finishReason).toBe('length');
  });

  it('lets a scripted finish reason win', () => {
    expect(planAnswer({ text: 'abc', stop: [], maxTokens: undefined, finishReason: 'length' }).finishReason).toBe('length');
  });
});
