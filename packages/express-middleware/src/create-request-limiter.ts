import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract, type RateLimiterRes } from 'rate-limiter-flexible';
import type { Logger } from './logger.js';
import { createRedisCircuit, type RedisCircuit, type RedisCircuitClient } from './redis-circuit.js';

/** The part of an ioredis client that rate-limiter-flexible's RateLimiterRedis relies on to start. */
export interface RateLimitRedisClient extends RedisCircuitClient {
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
  /**
   * With `storeClient`: the circuit breaker shared with the other limits on the same Redis, so that one
   * timeout spares them all the wait; default one of its own.
   */
  circuit?: RedisCircuit;
  /** Namespaces the counters in a shared store. */
  keyPrefix?: string;
  logger?: Logger;
}

/** A per-window request counter: `consume` resolves with the state, or rejects with it when over the limit. */
export interface RequestLimiter {
  readonly points: number;
  /** The window, in seconds. */
  readonly duration: number;
  consume(key: string): Promise<RateLimiterRes>;
}

/** The limiter a request limit counts with; `name` is the public factory's, for its error messages. */
export function createRequestLimiter(
  name: string,
  { limiter, pointsPerMinute, storeClient, circuit, keyPrefix, logger }: RequestLimiterOptions,
): RequestLimiter {
  if (limiter !== undefined) {
    if (pointsPerMinute !== undefined || storeClient !== undefined || circuit !== undefined)
      throw new TypeError(`${name}: give either limiter, or pointsPerMinute (with an optional storeClient), not both`);
    if (typeof limiter?.consume !== 'function' || !isPositiveInteger(limiter.points) || !(limiter.duration > 0))
      throw new TypeError(`${name}: limiter must be a rate-limiter-flexible limiter with points > 0 and a duration > 0`);
    return limiter;
  }
  if (!isPositiveInteger(pointsPerMinute))
    throw new TypeError(`${name}: pointsPerMinute must be a whole number above 0 (or give a limiter); got ${String(pointsPerMinute)}`);
  if (typeof keyPrefix !== 'string' || keyPrefix === '') throw new TypeError(`${name}: keyPrefix must be a non-empty string`);
  const memory = new RateLimiterMemory({ points: pointsPerMinute, duration: 60, keyPrefix });
  if (storeClient === undefined) {
    if (circuit !== undefined) throw new TypeError(`${name}: circuit goes with a storeClient`);
    return memory;
  }
  if (typeof storeClient?.defineCommand !== 'function' || typeof storeClient.status !== 'string')
    throw new TypeError(`${name}: storeClient must be an ioredis client`);
  if (circuit !== undefined && typeof circuit?.available !== 'function')
    throw new TypeError(`${name}: circuit must be a createRedisCircuit()`);
  // No insuranceLimiter: the circuit decides when memory counts instead, so a frozen Redis is not asked again.
  const redis = new RateLimiterRedis({ storeClient, points: pointsPerMinute, duration: 60, keyPrefix, rejectIfRedisNotReady: true });
  return insuredByCircuit({ redis, memory, circuit: circuit ?? createRedisCircuit({ client: storeClient, logger }) });
}

/** Counts in Redis while the circuit lets it, else (and when Redis fails) in this process's memory. */
function insuredByCircuit({
  redis,
  memory,
  circuit,
}: {
  redis: RateLimiterRedis;
  memory: RateLimiterMemory;
  circuit: RedisCircuit;
}): RequestLimiter {
  return {
    points: redis.points,
    duration: redis.duration,
    async consume(key) {
      if (!circuit.available()) return memory.consume(key);
      try {
        const result = await redis.consume(key);
        circuit.succeeded();
        return result;
      } catch (rejection) {
        if (isRateLimiterRes(rejection)) {
          circuit.succeeded();
          throw rejection;
        }
        circuit.failed(rejection);
        return memory.consume(key);
      }
    },
  };
}

function isPositiveInteger(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) > 0;
}

/** A limiter's "no" (a RateLimiterRes), told apart from a store failure (an Error), duck-typed across copies. */
export function isRateLimiterRes(value: unknown): value is RateLimiterRes {
  return (
    typeof value === 'object' &&
    value !== null &&
    !(value instanceof Error) &&
    typeof (value as RateLimiterRes).msBeforeNext === 'number' &&
    typeof (value as RateLimiterRes).remainingPoints === 'number'
  );
}
