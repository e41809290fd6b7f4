import type { NextFunction, Request, Response } from 'express';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract, type RateLimiterRes } from 'rate-limiter-flexible';
import { createLogger, type Logger } from './logger.js';
import { requestRateLimitExceeded } from './rate-limit-errors.js';
import { setRequestRateLimitHeaders } from './rate-limit-headers.js';

/** The part of an ioredis client that rate-limiter-flexible's RateLimiterRedis relies on to start. */
export interface RateLimitRedisClient {
  readonly status: string;
  defineCommand(name: string, definition: { lua: string; numberOfKeys?: number }): void;
}

/** Where a per-window request limit is counted: one of these, never both. */
export interface RequestLimiterOptions {
  /**
   * Any rate-limiter-flexible limiter (RateLimiterMemory, RateLimiterRedis with an insuranceLimiter…): its
   * `points` per `duration` seconds are the limit. A limiter whose store fails and that has no insurance
   * lets requests through uncounted (logged once per outage) rather than failing them.
   */
  limiter?: RateLimiterAbstract;
  /** Or this many requests per minute, counted in memory (one process), or in Redis with `storeClient`. */
  pointsPerMinute?: number;
  /**
   * With `pointsPerMinute`: an ioredis client (create it with `enableOfflineQueue: false` and a short
   * `commandTimeout`), so every process using it shares the counts. While Redis cannot answer, each
   * process counts in its own memory, and requests are neither failed nor held.
   */
  storeClient?: RateLimitRedisClient;
  /** Namespaces the counters in a shared store. */
  keyPrefix?: string;
  logger?: Logger;
}

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
  { key, subject, limiter: givenLimiter, pointsPerMinute, storeClient, keyPrefix, logger = createLogger() }: RateLimitRequestsOptions,
) {
  if (typeof key !== 'function') throw new TypeError(`${name}: key must be a function of (req, res)`);
  if (typeof subject !== 'string' || subject === '') throw new TypeError(`${name}: subject must be a non-empty string`);
  const limiter = createLimiter(name, { limiter: givenLimiter, pointsPerMinute, storeClient, keyPrefix });
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

function createLimiter(name: string, { limiter, pointsPerMinute, storeClient, keyPrefix }: RequestLimiterOptions): RateLimiterAbstract {
  if (limiter !== undefined) {
    if (pointsPerMinute !== undefined || storeClient !== undefined)
      throw new TypeError(`${name}: give either limiter, or pointsPerMinute (with an optional storeClient), not both`);
    if (typeof limiter?.consume !== 'function' || !isPositiveInteger(limiter.points) || !(limiter.duration > 0))
      throw new TypeError(`${name}: limiter must be a rate-limiter-flexible limiter with points > 0 and a duration > 0`);
    return limiter;
  }
  if (!isPositiveInteger(pointsPerMinute))
    throw new TypeError(`${name}: pointsPerMinute must be a whole number above 0 (or give a limiter); got ${String(pointsPerMinute)}`);
  if (typeof keyPrefix !== 'string' || keyPrefix === '') throw new TypeError(`${name}: keyPrefix must be a non-empty string`);
  const memory = new RateLimiterMemory({ points: pointsPerMinute, duration: 60, keyPrefix });
  if (storeClient === undefined) return memory;
  if (typeof storeClient?.defineCommand !== 'function' || typeof storeClient.status !== 'string')
    throw new TypeError(`${name}: storeClient must be an ioredis client`);
  return new RateLimiterRedis({
    storeClient,
    points: pointsPerMinute,
    duration: 60,
    keyPrefix,
    // While Redis is not connected, count in this process's memory at once instead of trying it.
    rejectIfRedisNotReady: true,
    insuranceLimiter: memory,
  });
}

function isPositiveInteger(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) > 0;
}

/** A limiter's "no" (a RateLimiterRes), told apart from a store failure (an Error), duck-typed across copies. */
function isRateLimiterRes(value: unknown): value is RateLimiterRes {
  return (
    typeof value === 'object' &&
    value !== null &&
    !(value instanceof Error) &&
    typeof (value as RateLimiterRes).msBeforeNext === 'number' &&
    typeof (value as RateLimiterRes).remainingPoints === 'number'
  );
}
