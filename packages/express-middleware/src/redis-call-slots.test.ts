import { EventEmitter } from 'node:events';
import { describe, expect, it } from '@jest/globals';
import { createLogger } from './logger.js';
import { createRedisCallSlots } from './redis-call-slots.js';
import { createRedisCircuit } from './redis-circuit.js';

const logger = createLogger({ level: 'silent' });

type Command = { name: 'eval' | 'zrem'; args: Array<string | number> };

/**
 * An ioredis stand-in for the slot scripts: it records every command; `frozen` makes each one time out
 * (a SIGSTOPped Redis), otherwise the acquire script takes a slot and the others succeed. The real scripts
 * run against a real Redis in test/rate-limit.
 */
function fakeRedis() {
  const commands: Command[] = [];
  const client = Object.assign(new EventEmitter(), {
    status: 'ready',
    frozen: false,
    commands,
    async eval(script: string, _keys: number, ...args: Array<string | number>): Promise<unknown> {
      commands.push({ name: 'eval', args });
      if (client.frozen) throw new Error('Command timed out');
      return script.includes('ZCARD') ? [1, 1] : args.length - 2;
    },
    async zrem(key: string, ...members: string[]): Promise<unknown> {
      commands.push({ name: 'zrem', args: [key, ...members] });
      if (client.frozen) throw new Error('Command timed out');
      return members.length;
    },
  });
  return client;
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('createRedisCallSlots', () => {
  it('removes a slot it gave up on, right behind the script a frozen Redis will still run', async () => {
    const client = fakeRedis();
    let next = 0;
    const slots = createRedisCallSlots({ client, logger, generateId: () => `member-${(next += 1)}` });
    client.frozen = true;
    const slot = await slots.acquire('key-a', 2);
    // Counted in memory meanwhile.
    expect(slot).toBeDefined();
    expect(client.commands).toEqual([
      { name: 'eval', args: ['gw-calls:key-a', 2, 60_000, 'member-1'] },
      { name: 'zrem', args: ['gw-calls:key-a', 'member-1'] },
    ]);
    // The circuit is open: the next slots are taken in memory without asking Redis.
    expect(await slots.acquire('key-a', 2)).toBeDefined();
    expect(await slots.acquire('key-a', 2)).toBeUndefined();
    expect(client.commands).toHaveLength(2);
  });

  it('renews the leases of open calls until they are released', async () => {
    const client = fakeRedis();
    let next = 0;
    const slots = createRedisCallSlots({ client, logger, leaseMs: 1000, renewEveryMs: 20, generateId: () => `member-${(next += 1)}` });
    const first = await slots.acquire('key-a', 3);
    const second = await slots.acquire('key-a', 3);
    const renewals = () => client.commands.filter((command) => command.name === 'eval' && command.args[1] === 1000);
    await until(() => renewals().length > 0);
    expect(renewals()[0]?.args).toEqual(['gw-calls:key-a', 1000, 'member-1', 'member-2']);

    first?.release();
    first?.release();
    expect(client.commands.filter((command) => command.name === 'zrem')).toEqual([{ name: 'zrem', args: ['gw-calls:key-a', 'member-1'] }]);
    const seen = renewals().length;
    await until(() => renewals().length > seen);
    expect(renewals().at(-1)?.args).toEqual(['gw-calls:key-a', 1000, 'member-2']);

    second?.release();
    // Nothing held: renewal stops.
    const stopped = renewals().length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(renewals()).toHaveLength(stopped);
  });

  it('skips a renewal while the circuit is open', async () => {
    const client = fakeRedis();
    let clock = 0;
    const circuit = createRedisCircuit({ client, coolDownMs: 60_000, now: () => clock, logger });
    const slots = createRedisCallSlots({ client, circuit, leaseMs: 1000, renewEveryMs: 20 });
    const slot = await slots.acquire('key-a', 3);
    circuit.failed(new Error('Command timed out'));
    const sent = client.commands.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(client.commands).toHaveLength(sent);
    // Past the cool-down, one round of renewals probes Redis.
    clock += 60_000;
    await until(() => client.commands.length > sent);
    expect(circuit.down).toBe(false);
    slot?.release();
  });

  it('throws at construction for bad options', () => {
    const client = fakeRedis();
    expect(() => createRedisCallSlots({ client: {} as never })).toThrow(/ioredis client/);
    for (const leaseMs of [0, -1, 1.5] as never[]) expect(() => createRedisCallSlots({ client, leaseMs })).toThrow(/leaseMs/);
    expect(() => createRedisCallSlots({ client, leaseMs: 1000, renewEveryMs: 1000 })).toThrow(/renewEveryMs .*below leaseMs/);
    expect(() => createRedisCallSlots({ client, renewEveryMs: 0 })).toThrow(/renewEveryMs/);
    expect(() => createRedisCallSlots({ client, keyPrefix: '' })).toThrow(/keyPrefix/);
    expect(() => createRedisCallSlots({ client, fallback: {} as never })).toThrow(/fallback/);
    expect(() => createRedisCallSlots({ client, circuit: {} as never })).toThrow(/circuit/);
  });
});
