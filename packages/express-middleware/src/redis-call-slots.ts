import { randomUUID } from 'node:crypto';
import { createMemoryCallSlots, type CallSlot, type CallSlots } from './call-slots.js';
import type { Logger } from './logger.js';
import { createRedisCircuit, type RedisCircuit, type RedisCircuitClient } from './redis-circuit.js';
import { createCallLeaseRenewal } from './call-lease-renewal.js';

/** The part of an ioredis client the Redis slots use. */
export interface RedisCallSlotsClient extends RedisCircuitClient {
  eval(script: string, numberOfKeys: number, ...args: Array<string | number>): Promise<unknown>;
  zrem(key: string, ...members: string[]): Promise<unknown>;
}

export interface RedisCallSlotsOptions {
  /** An ioredis client, created with `enableOfflineQueue: false` and a short `commandTimeout`. */
  client: RedisCallSlotsClient;
  /**
   * How long a slot counts unless renewed, in milliseconds; default 60000. A slot nobody releases (its
   * process crashed, or the gateway gave up on Redis while taking it) stops counting within this.
   */
  leaseMs?: number;
  /** How often the leases of open calls are renewed, in milliseconds, below `leaseMs`; default 20000. */
  renewEveryMs?: number;
  /** Namespaces the counters in Redis; default `gw-calls`. */
  keyPrefix?: string;
  /** Counts while Redis cannot answer; default a fresh createMemoryCallSlots(). */
  fallback?: CallSlots;
  /** The circuit breaker shared with the other limits on this Redis; default one of its own. */
  circuit?: RedisCircuit;
  /** Logs the default circuit's outages. */
  logger?: Logger;
  generateId?: () => string;
}

/*
 * One sorted set per key: a member per call in flight, scored with the time its lease ends (Redis's
 * clock, so replicas' clocks do not matter); the set itself expires once every lease has.
 * KEYS[1] the key's set; ARGV: limit, leaseMs, member. Answers {1, count} taken, {0, count} full.
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
 * Call slots shared through Redis by every process using it, each held as a lease renewed while its call
 * is open: a crashed replica's slots, or one a frozen Redis takes long after the gateway gave up on it,
 * come free within `leaseMs`. While the circuit is open (Redis disconnected, failing or timing out), slots
 * are counted in the fallback (this process's memory) instead: a call is neither refused nor held because
 * the counter is away.
 */
export function createRedisCallSlots({
  client,
  leaseMs = 60_000,
  renewEveryMs = 20_000,
  keyPrefix = 'gw-calls',
  fallback = createMemoryCallSlots(),
  logger,
  circuit: givenCircuit,
  generateId = randomUUID,
}: RedisCallSlotsOptions): CallSlots {
  if (typeof client?.eval !== 'function' || typeof client.zrem !== 'function')
    throw new TypeError('createRedisCallSlots: client must be an ioredis client');
  if (!Number.isSafeInteger(leaseMs) || leaseMs <= 0)
    throw new TypeError(`createRedisCallSlots: leaseMs must be a whole number of milliseconds above 0; got ${String(leaseMs)}`);
  if (!Number.isSafeInteger(renewEveryMs) || renewEveryMs <= 0 || renewEveryMs >= leaseMs)
    throw new TypeError(
      `createRedisCallSlots: renewEveryMs must be a whole number of milliseconds above 0 and below leaseMs (${leaseMs}); got ${String(renewEveryMs)}`,
    );
  if (typeof keyPrefix !== 'string' || keyPrefix === '') throw new TypeError('createRedisCallSlots: keyPrefix must be a non-empty string');
  if (typeof fallback?.acquire !== 'function') throw new TypeError('createRedisCallSlots: fallback must be CallSlots');
  if (givenCircuit !== undefined && typeof givenCircuit?.available !== 'function')
    throw new TypeError('createRedisCallSlots: circuit must be a createRedisCircuit()');
  const circuit = givenCircuit ?? createRedisCircuit({ client, logger });
  const leases = createCallLeaseRenewal({ client, circuit, leaseMs, renewEveryMs });

  return {
    async acquire(key, limit): Promise<CallSlot | undefined> {
      if (!circuit.available()) return fallback.acquire(key, limit);
      const setKey = `${keyPrefix}:${key}`;
      const member = generateId();
      let reply: unknown;
      try {
        reply = await client.eval(ACQUIRE_SCRIPT, 1, setKey, limit, leaseMs, member);
      } catch (error) {
        circuit.failed(error);
        // A frozen Redis still runs the script once it thaws, taking a slot nobody holds. The removal, sent
        // next on the same connection, runs right after it; if the connection is lost instead, the lease ends.
        client.zrem(setKey, member).catch(() => undefined);
        return fallback.acquire(key, limit);
      }
      if (!Array.isArray(reply) || (reply[0] !== 0 && reply[0] !== 1)) {
        circuit.failed(new Error(`unexpected reply to the slot script: ${JSON.stringify(reply)}`));
        return fallback.acquire(key, limit);
      }
      circuit.succeeded();
      if (reply[0] === 0) return undefined;
      leases.hold(setKey, member);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          leases.drop(setKey, member);
          // If Redis cannot take the removal now, the lease ends on its own.
          client.zrem(setKey, member).catch(() => undefined);
        },
      };
    },
  };
}
