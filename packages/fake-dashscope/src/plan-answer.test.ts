import { describe, expect, it } from '@jest/globals';
import { planAnswer } from './plan-answer.js';

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
