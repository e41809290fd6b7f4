import type { RequestHandler } from 'express';
import { Redis } from 'ioredis';
import {
  createRedisStreamSlots,
  limitConcurrentStreams,
  rateLimitByIp,
  rateLimitByKey,
  type Logger,
  type StreamSlots,
} from '@gw/express-middleware';
import type { GatewayConfig } from './config.js';

export type RateLimitConfig = Pick<
  GatewayConfig,
  'rateLimitIpPerMinute' | 'rateLimitKeyPerMinute' | 'maxStreamsPerKey' | 'redisUrl' | 'streamMaxDurationMs'
>;

/** The gateway's rate limits, each undefined when its setting is 0. */
export interface RateLimits {
  /** Requests per client IP per minute: mount before anything reads the body. */
  byIp?: RequestHandler;
  /** Requests per key fingerprint per minute: the router's `middlewares`. */
  byKey?: RequestHandler;
  /** Streams in flight per key fingerprint: the router's `callMiddlewares`. */
  concurrentStreams?: RequestHandler;
  /** Closes the Redis connection, if there is one. Call it once the server has closed. */
  close(): Promise<void>;
}

/** A stream's slot outlives the stream's longest allowed run by this much before it frees itself. */
const STREAM_SLOT_MARGIN_MS = 60_000;

/**
 * The rate limits as configured: counted in this process's memory, or with REDIS_URL in Redis, so that
 * replicas behind one balancer share them. Redis being away never fails or holds a request: commands
 * fail at once while it is disconnected (no offline queue) or after a short timeout, and each process
 * then counts in its own memory until Redis is back. The outage is logged once, and so is the recovery.
 */
export function createRateLimits({ config, logger }: { config: RateLimitConfig; logger: Logger }): RateLimits {
  const anyLimit = config.rateLimitIpPerMinute > 0 || config.rateLimitKeyPerMinute > 0 || config.maxStreamsPerKey > 0;
  const redis = config.redisUrl !== undefined && anyLimit ? connectRedis(config.redisUrl, logger) : undefined;
  const client = redis?.client;
  let slots: StreamSlots | undefined;
  if (client !== undefined) slots = createRedisStreamSlots({ client, expireAfterMs: config.streamMaxDurationMs + STREAM_SLOT_MARGIN_MS });

  return {
    byIp:
      config.rateLimitIpPerMinute > 0
        ? rateLimitByIp({ pointsPerMinute: config.rateLimitIpPerMinute, storeClient: client, logger })
        : undefined,
    byKey:
      config.rateLimitKeyPerMinute > 0
        ? rateLimitByKey({ pointsPerMinute: config.rateLimitKeyPerMinute, storeClient: client, logger })
        : undefined,
    concurrentStreams:
      config.maxStreamsPerKey > 0 ? limitConcurrentStreams({ maxPerKey: config.maxStreamsPerKey, slots, logger }) : undefined,
    async close() {
      redis?.close();
    },
  };
}

/**
 * The ioredis client the limits share, connecting in the background (startup does not wait for it): no
 * offline queue and short timeouts, so a command fails fast instead of waiting for Redis. Logs the first
 * connection, an outage once (not each failed reconnect), and the recovery.
 */
export function connectRedis(url: string, logger: Logger): { client: Redis; close(): void } {
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
  let reachable: boolean | undefined;
  let closed = false;
  client.on('ready', () => {
    if (reachable === false) logger.info('Redis is reachable again: rate limits are shared again', { redis: host });
    else logger.info('Rate limits are shared through Redis', { redis: host });
    reachable = true;
  });
  // ioredis reports every failed reconnect; an operator needs to hear of the outage once.
  client.on('error', (error: Error) => {
    if (closed || reachable === false) return;
    reachable = false;
    logger.warn('Redis is unreachable: each process counts rate limits in its own memory until it is back', {
      redis: host,
      error: error.message,
    });
  });
  client.connect().catch(() => undefined); // reported through the 'error' event above
  return {
    client,
    close() {
      closed = true;
      client.disconnect();
    },
  };
}
