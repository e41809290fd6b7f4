import { describe, expect, it } from '@jest/globals';
import { formatOpenAIDuration, retryAfterSeconds } from './rate-limit-headers.js';

describe('formatOpenAIDuration', () => {
  it.each([
    [0, '0s'],
    [1, '1ms'],
    [120, '120ms'],
    [999, '999ms'],
    [1000, '1s'],
    [7660, '7.66s'],
    [12_001, '12.001s'],
    [59_999, '59.999s'],
    [60_000, '1m0s'],
    [90_500, '1m30.5s'],
    [360_000, '6m0s'],
    [3_600_000, '1h0m0s'],
    [3_723_000, '1h2m3s'],
    [0.2, '1ms'],
    [-5, '0s'],
  ])('%d ms is %s, as OpenAI writes x-ratelimit-reset-*', (milliseconds, expected) => {
    expect(formatOpenAIDuration(milliseconds)).toBe(expected);
  });
});

describe('retryAfterSeconds', () => {
  it.each([
    [0, 1],
    [1, 1],
    [1000, 1],
    [1001, 2],
    [11_200, 12],
    [60_000, 60],
  ])('%d ms to wait is Retry-After: %d (whole seconds, rounded up, at least 1)', (milliseconds, expected) => {
    expect(retryAfterSeconds(milliseconds)).toBe(expected);
  });
});
