import type { Response } from 'express';
import { gatewayState } from './gateway-state.js';
import type { RequestLimiterOptions } from './create-request-limiter.js';
import { createRequestRateLimit } from './rate-limit-requests.js';

export type RateLimitByKeyOptions = RequestLimiterOptions;

/**
 * Requests per minute per API key, counted under the key's fingerprint (`gatewayState(res).keyHash`, set
 * by extractApiKey), never the key itself. Mount it after auth and before the body is read: the router's
 * `middlewares` option is that place. A request without a fingerprint passes uncounted (auth answers it).
 */
export function rateLimitByKey({ keyPrefix = 'gw-requests-key', ...options }: RateLimitByKeyOptions) {
  return createRequestRateLimit('rateLimitByKey', {
    ...options,
    keyPrefix,
    subject: 'on this API key',
    key: (_req, res: Response) => gatewayState(res).keyHash,
  });
}
