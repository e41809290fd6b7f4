import { createLogger, type Logger } from './logger.js';

/** The part of an ioredis client the circuit watches. */
export interface RedisCircuitClient {
  /** ioredis's connection state; commands are sent only while it is `ready`. */
  readonly status: string;
  /** ioredis's events: `error` (a connection failed) and `ready` (connected and answering), when there. */
  on?(event: 'error' | 'ready', listener: (error?: Error) => void): unknown;
}

/**
 * A circuit breaker in front of one Redis, shared by every limit counting in it. A frozen Redis keeps its
 * connection open and answers nothing, so without it every request would wait out the command timeout.
 */
export interface RedisCircuit {
  /**
   * Whether to ask Redis now: connected, and no command failed within the cool-down. While Redis is down
   * it answers true once per cool-down, for one request to find out whether Redis is back.
   */
  available(): boolean;
  /** Redis answered a command: an outage is over (logged once). */
  succeeded(): void;
  /** A command failed or timed out: counting stays in memory for the cool-down (an outage is logged once). */
  failed(error: unknown): void;
  /** Whether Redis is in an outage: it failed, and has not answered since. */
  readonly down: boolean;
}

export interface RedisCircuitOptions {
  /** The ioredis client; its `error` and `ready` events, when it has them, also open and close the circuit. */
  client: RedisCircuitClient;
  /** After a failure, how long Redis is left alone before one request tries it again; default 5000 ms. */
  coolDownMs?: number;
  /** How the log lines name this Redis, such as its host (never a URL with a password). */
  name?: string;
  logger?: Logger;
  /** Clock in milliseconds. */
  now?: () => number;
}

/**
 * The circuit breaker of one Redis: after a failure, its users count in memory for `coolDownMs` without
 * touching Redis; then one of them tries it again. Only requests in flight when Redis stops answering wait
 * for it (at most the command timeout). The outage is logged once when it starts, timeouts included, and
 * once when Redis answers again.
 */
export function createRedisCircuit({
  client,
  coolDownMs = 5000,
  name,
  logger = createLogger(),
  now = Date.now,
}: RedisCircuitOptions): RedisCircuit {
  if (typeof client?.status !== 'string') throw new TypeError('createRedisCircuit: client must be an ioredis client');
  if (!Number.isSafeInteger(coolDownMs) || coolDownMs <= 0)
    throw new TypeError(`createRedisCircuit: coolDownMs must be a whole number of milliseconds above 0; got ${String(coolDownMs)}`);
  if (name !== undefined && typeof name !== 'string') throw new TypeError('createRedisCircuit: name must be a string');
  let down = false;
  let retryAt = 0;

  const circuit: RedisCircuit = {
    get down() {
      return down;
    },
    available() {
      if (client.status !== 'ready') return false;
      const time = now();
      if (time < retryAt) return false;
      // While down, this caller is the one probe of this cool-down; the others keep counting in memory.
      if (down) retryAt = time + coolDownMs;
      return true;
    },
    succeeded() {
      retryAt = 0;
      if (!down) return;
      down = false;
      logger.info('Redis is reachable again: rate limits are shared again', { redis: name });
    },
    failed(error) {
      retryAt = now() + coolDownMs;
      if (down) return;
      down = true;
      logger.warn('Redis is unreachable: each process counts rate limits in its own memory until it is back', {
        redis: name,
        error: error instanceof Error ? error.message : String(error),
      });
    },
  };
  // ioredis reports every failed reconnect; the circuit turns them into one outage.
  client.on?.('error', (error) => circuit.failed(error ?? new Error('Redis connection error')));
  client.on?.('ready', () => circuit.succeeded());
  return circuit;
}
