import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { createLogger, createRedisCallSlots, type CallSlot } from '@gw/express-middleware';
import { connectRedis } from '../../apps/server/src/rate-limits.js';
import { describeWithRedis, startRedis, type RunningRedis } from '../support/start-redis.js';

/**
 * Call slots in a real Redis, each connection standing for one gateway process: shared caps, leases that
 * outlive a crashed holder by at most their length, and a Redis frozen (SIGSTOP) mid-acquire that must
 * not leave the key locked out once it thaws.
 */
const describeRedis = describeWithRedis('redis-call-slots.e2e.test.ts');
const silent = createLogger({ level: 'silent' });

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describeRedis('call slots in Redis', () => {
  let redis: RunningRedis;
  const connections: Array<ReturnType<typeof connectRedis>> = [];

  /** A connection as a gateway process has it: its own client and circuit. */
  async function connect(): Promise<ReturnType<typeof connectRedis>> {
    const connection = connectRedis(redis.url, silent);
    connections.push(connection);
    await until(() => connection.client.status === 'ready', 'the connection');
    return connection;
  }

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    for (const connection of connections) connection.close();
    await redis?.stop();
  });

  it('caps the calls of a key across processes, and frees a released slot', async () => {
    const [one, two] = [await connect(), await connect()];
    const first = createRedisCallSlots({ client: one.client, circuit: one.circuit, leaseMs: 60_000 });
    const second = createRedisCallSlots({ client: two.client, circuit: two.circuit, leaseMs: 60_000 });
    const taken = [await first.acquire('k1', 2), await second.acquire('k1', 2)];
    expect(taken.every((slot) => slot !== undefined)).toBe(true);
    expect(await first.acquire('k1', 2)).toBeUndefined();
    expect(await second.acquire('k1', 2)).toBeUndefined();
    expect(await first.acquire('k2', 2)).toBeDefined();
    expect(await redis.command('ZCARD', 'gw-calls:k1')).toBe(2);
    // A lease, not the length of the longest call: a crashed process's slots free within it.
    const ttl = Number(await redis.command('PTTL', 'gw-calls:k1'));
    expect(ttl > 0 && ttl <= 60_000).toBe(true);

    taken[1]?.release();
    taken[1]?.release();
    await until(async () => (await redis.command('ZCARD', 'gw-calls:k1')) === 1, 'the release');
    expect(await first.acquire('k1', 2)).toBeDefined();
    expect(await second.acquire('k1', 2)).toBeUndefined();
  });

  it('keeps an open call’s slot past its lease by renewing it, and frees it within the lease once the holder is gone', async () => {
    const [holder, other] = [await connect(), await connect()];
    const held = createRedisCallSlots({ client: holder.client, circuit: holder.circuit, leaseMs: 600, renewEveryMs: 150 });
    const watcher = createRedisCallSlots({ client: other.client, circuit: other.circuit, leaseMs: 600, renewEveryMs: 150 });
    const slots = [await held.acquire('lease', 2), await held.acquire('lease', 2)];
    expect(slots.every((slot) => slot !== undefined)).toBe(true);

    // Well past the lease, the calls still count: their holder renews them.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await watcher.acquire('lease', 2)).toBeUndefined();

    // The holder crashes: it neither releases nor renews.
    holder.close();
    expect(await watcher.acquire('lease', 2)).toBeUndefined();
    let freed: CallSlot | undefined;
    await until(async () => (freed = await watcher.acquire('lease', 2)) !== undefined, 'the leases to end', 3000);
    expect(await watcher.acquire('lease', 2)).toBeDefined();
    expect(await watcher.acquire('lease', 2)).toBeUndefined();
    freed?.release();
    for (const slot of slots) slot?.release();
  });

  it('leaves no slot behind once a frozen Redis runs the scripts the gateway gave up on', async () => {
    const { client, circuit } = await connect();
    const slots = createRedisCallSlots({ client, circuit });
    redis.freeze();
    let taken: Array<CallSlot | undefined>;
    try {
      // All three scripts are sent before the first times out; each call is counted in memory instead.
      taken = await Promise.all([slots.acquire('frozen', 3), slots.acquire('frozen', 3), slots.acquire('frozen', 3)]);
    } finally {
      redis.thaw();
    }
    expect(taken.every((slot) => slot !== undefined)).toBe(true);
    expect(circuit.down).toBe(true);
    for (const slot of taken) slot?.release();

    // Redis answers a connection's commands in order: once this is answered, it ran everything sent before.
    await client.ping();
    expect(await redis.command('ZCARD', 'gw-calls:frozen')).toBe(0);
    // The key is not locked out: all of its slots can be taken in Redis.
    const fresh = createRedisCallSlots({ client });
    const again = [await fresh.acquire('frozen', 3), await fresh.acquire('frozen', 3), await fresh.acquire('frozen', 3)];
    expect(again.every((slot) => slot !== undefined)).toBe(true);
    expect(await redis.command('ZCARD', 'gw-calls:frozen')).toBe(3);
    for (const slot of again) slot?.release();
  });

  it('counts in memory while Redis is away, and never hangs', async () => {
    const { client, circuit } = await connect();
    const slots = createRedisCallSlots({ client, circuit });
    await redis.kill();
    const held = await slots.acquire('k3', 1);
    expect(held).toBeDefined();
    expect(await slots.acquire('k3', 1)).toBeUndefined();
    held?.release();
    expect(await slots.acquire('k3', 1)).toBeDefined();
  });
});
