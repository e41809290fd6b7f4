import { assertRange, readBoolean, readInteger, readNumber } from './parameter-readers.js';

// The sampling and output-shape parameters (protocol §3.2), checked against DashScope's documented
// ranges. Values that only steer a real model's sampling are validated and then ignored: the fake's
// answers are deterministic.

// JSON numbers are doubles: 2^63 − 1 arrives as 2^63, so the largest accepted seed is that double.
const MAX_SEED = 2 ** 63 - 1;

export interface SamplingParameters {
  n: number;
  /** Set when `logprobs` is true: how many alternatives each token lists. */
  logprobs: { topLogprobs: number } | undefined;
}

export function parseSamplingParameters(parameters: Readonly<Record<string, unknown>>): SamplingParameters {
  assertRange({ name: 'temperature', value: readNumber(parameters, 'temperature'), inRange: (v) => v >= 0 && v < 2, range: '[0.0, 2.0)' });
  assertRange({ name: 'top_p', value: readNumber(parameters, 'top_p'), inRange: (v) => v > 0 && v <= 1, range: '(0.0, 1.0]' });
  assertRange({ name: 'top_k', value: readInteger(parameters, 'top_k'), inRange: (v) => v >= 0, range: '[0, inf)' });
  assertRange({
    name: 'presence_penalty',
    value: readNumber(parameters, 'presence_penalty'),
    inRange: (v) => v >= -2 && v <= 2,
    range: '[-2.0, 2.0]',
  });
  assertRange({
    name: 'repetition_penalty',
    value: readNumber(parameters, 'repetition_penalty'),
    inRange: (v) => v > 0,
    range: '(0.0, inf)',
  });
  assertRange({
    name: 'seed',
    value: readInteger(parameters, 'seed'),
    inRange: (v) => v >= 0 && v <= MAX_SEED,
    range: '[0, 9223372036854775807]',
  });

  const n = readInteger(parameters, 'n') ?? 1;
  assertRange({ name: 'n', value: n, inRange: (v) => v >= 1 && v <= 4, range: '[1, 4]' });
  const topLogprobs = readInteger(parameters, 'top_logprobs') ?? 0;
  assertRange({ name: 'top_logprobs', value: topLogprobs, inRange: (v) => v >= 0 && v <= 5, range: '[0, 5]' });
  const logprobs = readBoolean(parameters, 'logprobs') ?? false;
  return { n, logprobs: logprobs ? { topLogprobs } : undefined };
}
