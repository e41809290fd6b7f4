import { randomUUID } from 'node:crypto';
import { createMemoryStreamSlots, type StreamSlot, type StreamSlots } from './stream-slots.js';

/** The part of an ioredis client the Redis slots use. */
export interface RedisStreamSlotsClient {
  readonly status: string;
  eval(script: string, numberOfKeys: number, ...args: Array<string | number>): Promise<unknown>;
  zrem(key: string, ...members: string[]): Promise<unknown>;
}

export interface RedisStreamSlotsOptions {
  /** An ioredis client, created with `enableOfflineQueue: false` and a short `commandTimeout`. */
  client: RedisStreamSlotsClient;
  /**
   * How long a slot that is never released (its process crashed) keeps counting, in milliseconds. Make it
   * at least the longest a stream may last, or live streams stop counting.
   */
  expireAfterMs: number;
  /** Namespaces the counters in Redis; default `gw-streams`. */
  keyPrefix?: string;
  /** Counts while Redis cannot answer; default a fresh createMemoryStreamSlots(). */
  fallback?: StreamSlots;
  generateId?: () => string;
}

/*
 * One sorted set per key: a member per stream in flight, scored with the time it stops counting (Redis's
 * clock, so replicas' clocks do not matter). Each slot expires on its own, so a crashed replica's slots
 * come free at most `expireAfterMs` after they were taken; the set itself expires once all have.
 * KEYS[1] the key's set; ARGV: limit, expireAfterMs, member. Answers {1, count} taken, {0, count} full.
 */
const ACQUIRE_SCRIPT = `
if redis.replicate_commands then redis.replicate_commands() end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local count = redis.call('ZCARD', KEYS[1])
if count >= tonumber(ARGV[1]) then return {0, count} end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {1, count + 1}
`;

/**
 * Stream slots shared through Redis by every process using it. While Redis is not connected, or fails to
 * answer, slots are counted in the fallback (this process's memory) instead: a stream is neither refused
 * nor held because the counter is away.
 */
export function createRedisStreamSlots({
  client,
  expireAfterMs,
  keyPrefix = 'gw-streams',
  fallback = createMemoryStreamSlots(),
  generateId = randomUUID,
}: RedisStreamSlotsOptions): StreamSlots {
  if (typeof client?.eval !== 'function' || typeof client.zrem !== 'function')
    throw new TypeError('createRedisStreamSlots: client must be an ioredis client');
  if (!Number.isSafeInteger(expireAfterMs) || expireAfterMs <= 0)
    throw new TypeError(
      `createRedisStreamSlots: expireAfterMs must be a whole number of milliseconds above 0; got ${String(expireAfterMs)}`,
    );
  if (typeof keyPrefix !== 'string' || keyPrefix === '')
    throw new TypeError('createRedisStreamSlots: keyPrefix must be a non-empty string');
  if (typeof fallback?.acquire !== 'function') throw new TypeError('createRedisStreamSlots: fallback must be StreamSlots');

  return {
    async acquire(key, limit): Promise<StreamSlot | undefined> {
      if (client.status !== 'ready') return fallback.acquire(key, limit);
      const setKey = `${keyPrefix}:${key}`;
      const member = generateId();
      let reply: unknown;
      try {
        reply = await client.eval(ACQUIRE_SCRIPT, 1, setKey, limit, expireAfterMs, member);
      } catch {
        return fallback.acquire(key, limit);
      }
      if (!Array.isArray(reply) || (reply[0] !== 0 && reply[0] !== 1)) return fallback.acquire(key, limit);
      if (reply[0] === 0) return undefined;
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          // If Redis cannot take the release now, the slot still frees itself when it expires.
          client.zrem(setKey, member).catch(() => undefined);
        },
      };
    },
  };
}
