import { GatewayError } from '@gw/core';
import { requestRateLimitHeaders, retryAfterSeconds, type RequestRateLimitState } from './rate-limit-headers.js';

export interface RequestRateLimitExceededOptions extends RequestRateLimitState {
  /** The length of the limit's window, in seconds. */
  windowSeconds: number;
  /** Whose requests are counted, as words after the limit: "on this API key", "from this IP address". */
  subject: string;
}

/**
 * 429 for a request over a per-window request limit, as OpenAI answers it: type `requests`, code
 * `rate_limit_exceeded`, "Try again in 12s.", with Retry-After and the `x-ratelimit-*` headers.
 */
export function requestRateLimitExceeded({
  limit,
  remaining,
  resetMs,
  windowSeconds,
  subject,
}: RequestRateLimitExceededOptions): GatewayError {
  const waitSeconds = retryAfterSeconds(resetMs);
  const window = windowSeconds === 60 ? 'requests per minute (RPM)' : `requests per ${windowSeconds} seconds`;
  return new GatewayError({
    status: 429,
    type: 'requests',
    code: 'rate_limit_exceeded',
    message: `Rate limit reached for ${window} ${subject}: Limit ${limit}. Try again in ${waitSeconds}s.`,
    headers: { 'retry-after': String(waitSeconds), ...requestRateLimitHeaders({ limit, remaining, resetMs }) },
  });
}

/** 429 for a call over the cap on DashScope calls in flight per API key, streams and non-streams alike. */
export function tooManyConcurrentRequests({ limit, retryAfter }: { limit: number; retryAfter: number }): GatewayError {
  return new GatewayError({
    status: 429,
    type: 'requests',
    code: 'too_many_concurrent_requests',
    message: `Too many concurrent requests on this API key: Limit ${limit} calls in flight at a time. Try again in ${retryAfter}s, once one of them has finished.`,
    headers: { 'retry-after': String(retryAfter) },
  });
}
