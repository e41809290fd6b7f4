import { describe, expect, it } from '@jest/globals';
import { tokenizeAnswer } from './tokenize-answer.js';

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
