import type { NextFunction, Request, Response } from 'express';
import type { RateLimiterRes } from 'rate-limiter-flexible';
import { createRequestLimiter, isRateLimiterRes, type RequestLimiterOptions } from './create-request-limiter.js';
import { createLogger } from './logger.js';
import { requestRateLimitExceeded } from './rate-limit-errors.js';
import { setRequestRateLimitHeaders } from './rate-limit-headers.js';

export interface RateLimitRequestsOptions extends RequestLimiterOptions {
  /** The counter a request counts against, e.g. a tenant id; undefined lets it through uncounted. */
  key: (req: Request, res: Response) => string | undefined;
  /** Whose requests are counted, as words for the 429 message: "on this API key". */
  subject: string;
}

/**
 * A per-window request limit on any key. Requests that pass carry OpenAI's `x-ratelimit-*-requests`
 * headers; one over the limit gets OpenAI's 429 (`rate_limit_exceeded`, Retry-After). rateLimitByIp and
 * rateLimitByKey are this with their key chosen.
 */
export function rateLimitRequests(options: RateLimitRequestsOptions) {
  return createRequestRateLimit('rateLimitRequests', { keyPrefix: 'gw-requests', ...options });
}

/** The shared body of the request limits; `name` is the public factory's, for its error messages. */
export function createRequestRateLimit(
  name: string,
  { key, subject, logger = createLogger(), ...limiterOptions }: RateLimitRequestsOptions,
) {
  if (typeof key !== 'function') throw new TypeError(`${name}: key must be a function of (req, res)`);
  if (typeof subject !== 'string' || subject === '') throw new TypeError(`${name}: subject must be a non-empty string`);
  const limiter = createRequestLimiter(name, { ...limiterOptions, logger });
  const windowSeconds = limiter.duration;
  let storeFailing = false;

  return async function rateLimitMiddleware(req: Request, res: Response, next: NextFunction): Promise<void> {
    const counted = key(req, res);
    if (counted === undefined) return next();
    let result: RateLimiterRes;
    try {
      result = await limiter.consume(counted);
    } catch (rejection) {
      if (isRateLimiterRes(rejection)) {
        const state = { limit: limiter.points, remaining: rejection.remainingPoints, resetMs: rejection.msBeforeNext };
        return next(requestRateLimitExceeded({ ...state, windowSeconds, subject }));
      }
      // The store failed and nothing took over: an outage of the counter must not become an outage of the API.
      if (!storeFailing) {
        storeFailing = true;
        logger.warn(`${name}: the rate limit store failed; requests pass uncounted until it answers again`, {
          error: rejection instanceof Error ? rejection.message : String(rejection),
        });
      }
      return next();
    }
    if (storeFailing) {
      storeFailing = false;
      logger.info(`${name}: the rate limit store answers again`);
    }
    setRequestRateLimitHeaders(res, { limit: limiter.points, remaining: result.remainingPoints, resetMs: result.msBeforeNext });
    next();
  };
}
