import { EventEmitter } from 'node:events';
import { describe, expect, it } from '@jest/globals';
import { createRequestLimiter } from './create-request-limiter.js';
import { createLogger } from './logger.js';
import { createRedisCircuit } from './redis-circuit.js';

/** An ioredis stand-in: a status and the events the circuit listens to. */
function fakeClient(status = 'ready') {
  return Object.assign(new EventEmitter(), { status });
}

function recordingLogger() {
  const lines: string[] = [];
  return { lines, logger: createLogger({ write: (line) => void lines.push(line) }) };
}

describe('createRedisCircuit', () => {
  it('leaves Redis alone for the cool-down after a failure, then lets one caller probe it', () => {
    let clock = 1000;
    const circuit = createRedisCircuit({
      client: fakeClient(),
      coolDownMs: 5000,
      now: () => clock,
      logger: createLogger({ level: 'silent' }),
    });
    expect([circuit.available(), circuit.available(), circuit.down]).toEqual([true, true, false]);

    circuit.failed(new Error('Command timed out'));
    expect([circuit.available(), circuit.down]).toEqual([false, true]);
    clock += 4999;
    expect(circuit.available()).toBe(false);
    clock += 1;
    // One probe per cool-down while down; the callers beside it keep counting in memory.
    expect([circuit.available(), circuit.available()]).toEqual([true, false]);
    clock += 5000;
    expect([circuit.available(), circuit.available()]).toEqual([true, false]);

    circuit.succeeded();
    expect([circuit.available(), circuit.available(), circuit.down]).toEqual([true, true, false]);
  });

  it('is never available while the client is not connected', () => {
    const client = fakeClient('reconnecting');
    const circuit = createRedisCircuit({ client, logger: createLogger({ level: 'silent' }) });
    expect(circuit.available()).toBe(false);
    client.status = 'ready';
    expect(circuit.available()).toBe(true);
  });

  it('logs an outage once, timeouts and failed reconnects alike, and the recovery once', () => {
    const { lines, logger } = recordingLogger();
    const client = fakeClient();
    const circuit = createRedisCircuit({ client, name: 'redis.internal:6379', logger });
    circuit.failed(new Error('Command timed out'));
    circuit.failed(new Error('Command timed out'));
    client.emit('error', new Error('connect ECONNREFUSED'));
    client.emit('error', new Error('connect ECONNREFUSED'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/WARN - Redis is unreachable: .* - .*redis: redis\.internal:6379.*Command timed out/);

    client.emit('ready');
    circuit.succeeded();
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/ - Redis is reachable again: .* - redis: redis\.internal:6379/);
    expect(circuit.available()).toBe(true);

    // A second outage is a new one.
    client.emit('error', new Error('connect ECONNREFUSED'));
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(/Redis is unreachable.*ECONNREFUSED/);
  });

  it('throws at construction for bad options', () => {
    expect(() => createRedisCircuit({ client: {} as never })).toThrow(/ioredis client/);
    for (const coolDownMs of [0, -1, 1.5, '5000'] as never[])
      expect(() => createRedisCircuit({ client: fakeClient(), coolDownMs })).toThrow(/coolDownMs/);
    expect(() => createRedisCircuit({ client: fakeClient(), name: 5 as never })).toThrow(/name/);
  });
});

/**
 * A stand-in for ioredis as rate-limiter-flexible's RateLimiterRedis uses it (its `rlflxIncr` script),
 * counting the commands it is sent; `timeOut` makes every command fail as a frozen Redis's do.
 */
function fakeStore() {
  const counts = new Map<string, number>();
  const store = Object.assign(fakeClient(), {
    commands: 0,
    timeOut: false,
    defineCommand() {},
    async rlflxIncr([key, points]: string[]): Promise<[number, number]> {
      store.commands += 1;
      if (store.timeOut) throw new Error('Command timed out');
      const count = (counts.get(key ?? '') ?? 0) + Number(points);
      counts.set(key ?? '', count);
      return [count, 60_000];
    },
  });
  return store;
}

describe('request limits behind the circuit', () => {
  it('ask a Redis that times out once, count in memory for the cool-down, and share one circuit', async () => {
    let clock = 0;
    const store = fakeStore();
    const { lines, logger } = recordingLogger();
    const circuit = createRedisCircuit({ client: store, coolDownMs: 5000, now: () => clock, logger });
    const byIp = createRequestLimiter('byIp', { pointsPerMinute: 3, storeClient: store, circuit, keyPrefix: 'ip' });
    const byKey = createRequestLimiter('byKey', { pointsPerMinute: 3, storeClient: store, circuit, keyPrefix: 'key' });

    expect((await byIp.consume('a')).remainingPoints).toBe(2);
    expect(store.commands).toBe(1);

    store.timeOut = true;
    // The first request finds out (its command times out) and is counted in memory instead.
    expect((await byIp.consume('a')).remainingPoints).toBe(2);
    expect(store.commands).toBe(2);
    // Every limit after it, on this request and the next ones, skips Redis.
    await byKey.consume('k');
    expect((await byIp.consume('a')).remainingPoints).toBe(1);
    expect((await byIp.consume('a')).remainingPoints).toBe(0);
    await expect(byIp.consume('a')).rejects.toMatchObject({ remainingPoints: 0 });
    expect(store.commands).toBe(2);

    // After the cool-down one request tries again; still frozen, so the next cool-down starts.
    clock += 5000;
    await byKey.consume('k');
    await byKey.consume('k');
    expect(store.commands).toBe(3);

    store.timeOut = false;
    clock += 5000;
    expect((await byIp.consume('b')).remainingPoints).toBe(2);
    expect(store.commands).toBe(4);
    await byKey.consume('k2');
    expect(store.commands).toBe(5);
    expect(lines.filter((line) => line.includes('Redis is unreachable'))).toHaveLength(1);
    expect(lines.filter((line) => line.includes('Redis is reachable again'))).toHaveLength(1);
  });

  it('take a 429 from Redis as an answer, not a failure', async () => {
    const store = fakeStore();
    const circuit = createRedisCircuit({ client: store, logger: createLogger({ level: 'silent' }) });
    const limiter = createRequestLimiter('byKey', { pointsPerMinute: 1, storeClient: store, circuit, keyPrefix: 'key' });
    await limiter.consume('k');
    await expect(limiter.consume('k')).rejects.toMatchObject({ remainingPoints: 0 });
    expect([circuit.down, circuit.available()]).toEqual([false, true]);
  });

  it('throw at construction for a circuit without a store, or one that is not a circuit', () => {
    const store = fakeStore();
    const circuit = createRedisCircuit({ client: store, logger: createLogger({ level: 'silent' }) });
    expect(() => createRequestLimiter('byKey', { pointsPerMinute: 1, circuit, keyPrefix: 'key' })).toThrow(
      /circuit goes with a storeClient/,
    );
    expect(() => createRequestLimiter('byKey', { pointsPerMinute: 1, storeClient: store, circuit: {} as never, keyPrefix: 'key' })).toThrow(
      /circuit must be/,
    );
  });
});
