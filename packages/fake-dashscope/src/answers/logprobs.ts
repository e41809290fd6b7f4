import { createHash } from 'node:crypto';

// Log probabilities in the recorded shape (single-generation-message-logprobs-nosse):
// `{"content":[{"top_logprobs":[{"logprob","bytes","token"}...],"logprob","bytes","token"}]}`.

export interface LogprobEntry {
  top_logprobs: Array<{ logprob: number; bytes: number[]; token: string }>;
  logprob: number;
  bytes: number[];
  token: string;
}

// Plausible runner-up tokens; the chosen token is never listed twice.
const ALTERNATIVES = ['的', ' the', '，', '是', ' a', '。', 'I'] as const;

/**
 * One entry per token. `position` is the index of the first token in the whole answer, so a stream's
 * pieces carry the same values as the non-stream answer. Values are negative, deterministic, and the
 * alternatives are less likely than the chosen token, which comes first in `top_logprobs`.
 */
export function logprobEntries({
  tokens,
  position,
  topLogprobs,
}: {
  tokens: readonly string[];
  position: number;
  topLogprobs: number;
}): LogprobEntry[] {
  return tokens.map((token, offset) => {
    const logprob = chosenLogprob(token, position + offset);
    const alternatives = ALTERNATIVES.filter((candidate) => candidate !== token)
      .slice(0, Math.max(0, topLogprobs - 1))
      .map((candidate, rank) => ({ logprob: round(logprob - 1.5 * (rank + 1)), bytes: utf8Bytes(candidate), token: candidate }));
    const top = topLogprobs > 0 ? [{ logprob, bytes: utf8Bytes(token), token }, ...alternatives] : [];
    return { top_logprobs: top, logprob, bytes: utf8Bytes(token), token };
  });
}

// Between -0.0001 and -0.5: likely tokens, as a confident model's are; never exactly 0, which JSON
// would print as `0` and not as the recorded `0.0`.
function chosenLogprob(token: string, position: number): number {
  const digest = createHash('sha256').update(`${position}\u0000${token}`).digest();
  return round(-(0.0001 + (digest.readUInt16BE(0) / 0xffff) * 0.4999));
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

function utf8Bytes(text: string): number[] {
  return [...Buffer.from(text, 'utf8')];
}
