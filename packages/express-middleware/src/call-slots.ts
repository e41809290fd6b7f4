/** One taken slot; releasing it more than once releases it once. */
export interface CallSlot {
  release(): void;
}

/** Counts the DashScope calls in flight per key, so a cap can be put on them. */
export interface CallSlots {
  /** Takes one of `limit` slots under `key`, or resolves to undefined when all of them are taken. */
  acquire(key: string, limit: number): Promise<CallSlot | undefined>;
}

/** Slots counted in this process's memory: exact, and a key with nothing in flight takes no memory. */
export function createMemoryCallSlots(): CallSlots {
  const inFlight = new Map<string, number>();
  return {
    async acquire(key, limit) {
      const count = inFlight.get(key) ?? 0;
      if (count >= limit) return undefined;
      inFlight.set(key, count + 1);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          const left = (inFlight.get(key) ?? 1) - 1;
          if (left > 0) inFlight.set(key, left);
          else inFlight.delete(key);
        },
      };
    },
  };
}
