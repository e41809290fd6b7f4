import type { RedisCircuit } from './redis-circuit.js';

export interface CallLeaseRenewalOptions {
  client: { eval(script: string, numberOfKeys: number, ...args: Array<string | number>): Promise<unknown> };
  circuit: RedisCircuit;
  leaseMs: number;
  renewEveryMs: number;
}

/** The leases of one process's open calls. */
export interface CallLeaseRenewal {
  /** Starts renewing a lease (a member of a key's set). */
  hold(setKey: string, member: string): void;
  /** Stops renewing it: its call is over. */
  drop(setKey: string, member: string): void;
}

/*
 * Renews the leases of calls still open. A lease that ran out while Redis was away (or a Redis that came
 * back empty) is put back: the call is still in flight. KEYS[1] the key's set; ARGV: leaseMs, members….
 */
const RENEW_SCRIPT = `
if redis.replicate_commands then redis.replicate_commands() end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
for index = 2, #ARGV do redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[index]) end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return #ARGV - 1
`;

/**
 * The leases this process holds, renewed together every `renewEveryMs` (one script per key) while any
 * is held. Renewal skips a round while the circuit is open; a lease that lapsed meanwhile comes back.
 */
export function createCallLeaseRenewal({ client, circuit, leaseMs, renewEveryMs }: CallLeaseRenewalOptions): CallLeaseRenewal {
  const held = new Map<string, Set<string>>();
  let timer: NodeJS.Timeout | undefined;

  function renew(): void {
    if (held.size === 0 || !circuit.available()) return;
    for (const [setKey, members] of held) {
      client.eval(RENEW_SCRIPT, 1, setKey, leaseMs, ...members).then(
        () => circuit.succeeded(),
        (error: unknown) => circuit.failed(error),
      );
    }
  }

  return {
    hold(setKey: string, member: string): void {
      const members = held.get(setKey) ?? new Set<string>();
      members.add(member);
      held.set(setKey, members);
      // The timer runs only while a lease is held, and never keeps the process alive.
      timer ??= setInterval(renew, renewEveryMs).unref();
    },
    drop(setKey: string, member: string): void {
      const members = held.get(setKey);
      members?.delete(member);
      if (members?.size === 0) held.delete(setKey);
      if (held.size === 0 && timer !== undefined) {
        clearInterval(timer);
        timer = undefined;
      }
    },
  };
}
