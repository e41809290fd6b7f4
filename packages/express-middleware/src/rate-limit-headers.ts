import type { Response } from 'express';

/**
 * The response headers OpenAI sends about request limits, which its SDKs and many clients read to pace
 * themselves (https://platform.openai.com/docs/guides/rate-limits#rate-limits-in-headers).
 */
export const RATE_LIMIT_HEADERS = [
  'retry-after',
  'x-ratelimit-limit-requests',
  'x-ratelimit-remaining-requests',
  'x-ratelimit-reset-requests',
] as const;

export interface RequestRateLimitState {
  /** Requests allowed per window. */
  limit: number;
  /** Requests left in the current window. */
  remaining: number;
  /** Milliseconds until the window resets. */
  resetMs: number;
}

/** The `x-ratelimit-*-requests` headers for one limit's current state. */
export function requestRateLimitHeaders({ limit, remaining, resetMs }: RequestRateLimitState): Record<string, string> {
  return {
    'x-ratelimit-limit-requests': String(limit),
    'x-ratelimit-remaining-requests': String(Math.max(0, remaining)),
    'x-ratelimit-reset-requests': formatOpenAIDuration(resetMs),
  };
}

/**
 * Shows a limit's state on a response that passes it. When two limits apply (per IP, then per key), the
 * one with fewer requests left stays shown: that is the one the client will run into first.
 */
export function setRequestRateLimitHeaders(res: Response, state: RequestRateLimitState): void {
  const shown = res.getHeader('x-ratelimit-remaining-requests');
  if (shown !== undefined && Number(shown) <= state.remaining) return;
  res.set(requestRateLimitHeaders(state));
}

/**
 * A duration as OpenAI writes it in `x-ratelimit-reset-*` (Go's time.Duration format): `120ms`, `7.66s`,
 * `6m0s`, `1h2m3s`.
 */
export function formatOpenAIDuration(milliseconds: number): string {
  const total = Math.max(0, Math.ceil(milliseconds));
  if (total === 0) return '0s';
  if (total < 1000) return `${total}ms`;
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  const wholeSeconds = Math.floor((total % 60_000) / 1000);
  const fraction = total % 1000;
  const seconds = fraction === 0 ? `${wholeSeconds}s` : `${wholeSeconds}.${String(fraction).padStart(3, '0').replace(/0+$/, '')}s`;
  if (hours > 0) return `${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${minutes}m${seconds}`;
  return seconds;
}

/** `Retry-After` in whole seconds, rounded up and at least 1, so a client never retries too early. */
export function retryAfterSeconds(milliseconds: number): number {
  return Math.max(1, Math.ceil(milliseconds / 1000));
}
