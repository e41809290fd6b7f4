import type { RequestHandler } from 'express';
import { Redis } from 'ioredis';
import {
  createRedisCallSlots,
  createRedisCircuit,
  limitConcurrentCalls,
  rateLimitByIp,
  rateLimitByKey,
  type Logger,
  type RedisCircuit,
} from '@gw/express-middleware';
import type { GatewayConfig } from './config.js';

export type RateLimitConfig = Pick<GatewayConfig, 'rateLimitIpPerMinute' | 'rateLimitKeyPerMinute' | 'maxConcurrentPerKey' | 'redisUrl'>;

/** The gateway's rate limits, each undefined when its setting is 0. */
export interface RateLimits {
  /** Requests per client IP per minute: mount before anything reads the body. */
  byIp?: RequestHandler;
  /** Requests per key fingerprint per minute: the router's `middlewares`. */
  byKey?: RequestHandler;
  /** DashScope calls in flight per key fingerprint, streams or not: the router's `callMiddlewares`. */
  concurrentCalls?: RequestHandler;
  /** Closes the Redis connection, if there is one. Call it once the server has closed. */
  close(): Promise<void>;
}

export interface CreateRateLimitsOptions {
  config: RateLimitConfig;
  logger: Logger;
  /** After Redis fails or times out, how long every limit counts in memory before one request tries it again. */
  redisCoolDownMs?: number;
}

/**
 * The rate limits as configured: counted in this process's memory, or with REDIS_URL in Redis, so that
 * replicas behind one balancer share them. Redis being away never fails a request, and holds only the
 * requests in flight when it stops answering: commands fail at once while it is disconnected (no offline
 * queue) or after a short timeout, and then one circuit breaker sends every limit to this process's
 * memory for a cool-down, with no further wait. The outage is logged once, and so is the recovery.
 */
export function createRateLimits({ config, logger, redisCoolDownMs }: CreateRateLimitsOptions): RateLimits {
  const anyLimit = config.rateLimitIpPerMinute > 0 || config.rateLimitKeyPerMinute > 0 || config.maxConcurrentPerKey > 0;
  const redis =
    config.redisUrl !== undefined && anyLimit ? connectRedis(config.redisUrl, logger, { coolDownMs: redisCoolDownMs }) : undefined;
  const storeClient = redis?.client;
  const circuit = redis?.circuit;
  const slots = redis === undefined ? undefined : createRedisCallSlots({ client: redis.client, circuit: redis.circuit });

  return {
    byIp:
      config.rateLimitIpPerMinute > 0
        ? rateLimitByIp({ pointsPerMinute: config.rateLimitIpPerMinute, storeClient, circuit, logger })
        : undefined,
    byKey:
      config.rateLimitKeyPerMinute > 0
        ? rateLimitByKey({ pointsPerMinute: config.rateLimitKeyPerMinute, storeClient, circuit, logger })
        : undefined,
    concurrentCalls:
      config.maxConcurrentPerKey > 0 ? limitConcurrentCalls({ maxPerKey: config.maxConcurrentPerKey, slots, logger }) : undefined,
    async close() {
      redis?.close();
    },
  };
}

/**
 * The ioredis client the limits share, connecting in the background (startup does not wait for it), and
 * its circuit breaker: no offline queue and short timeouts, so a command fails fast instead of waiting for
 * Redis. Logs the first connection; the circuit logs an outage once (not each failed reconnect or
 * timeout) and the recovery once.
 */
export function connectRedis(
  url: string,
  logger: Logger,
  { coolDownMs }: { coolDownMs?: number | undefined } = {},
): { client: Redis; circuit: RedisCircuit; close(): void } {
  // The URL may carry a password: only its host is ever logged.
  const host = new URL(url).host;
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    connectTimeout: 2000,
    commandTimeout: 1000,
    // A count sent before a disconnect was already made up for in memory; sending it again would count it twice.
    autoResendUnfulfilledCommands: false,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  // The circuit listens to the client's `error` events, so a failed reconnect never goes unhandled.
  const circuit = createRedisCircuit({ client, coolDownMs, name: host, logger });
  client.once('ready', () => logger.info('Rate limits are shared through Redis', { redis: host }));
  client.connect().catch(() => undefined); // reported through the 'error' event
  return {
    client,
    circuit,
    close() {
      client.disconnect();
    },
  };
}
