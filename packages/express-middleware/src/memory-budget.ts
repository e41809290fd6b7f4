/**
 * A count of bytes held in memory across requests, so a crowd of requests that are each within their
 * own cap cannot together exhaust the process: buffered request bodies and buffered DashScope JSON
 * answers reserve from one budget before they read, and whoever finds no room answers 503 instead.
 */
export interface MemoryBudget {
  readonly maxBytes: number;
  /** Bytes reserved now. */
  inUse(): number;
  /**
   * Reserves `bytes` if they fit beside what is reserved already; returns the release (idempotent: a
   * second call does nothing), or undefined when there is no room.
   */
  tryReserve(bytes: number): (() => void) | undefined;
}

export interface MemoryBudgetOptions {
  /** The most bytes reserved at once. */
  maxBytes: number;
}

export function createMemoryBudget({ maxBytes }: MemoryBudgetOptions): MemoryBudget {
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new TypeError('createMemoryBudget: maxBytes must be a positive integer');
  let reserved = 0;
  return {
    maxBytes,
    inUse: () => reserved,
    tryReserve(bytes) {
      if (!Number.isSafeInteger(bytes) || bytes < 0) throw new TypeError('MemoryBudget.tryReserve: bytes must be a non-negative integer');
      if (reserved + bytes > maxBytes) return undefined;
      reserved += bytes;
      let released = false;
      return function release() {
        if (released) return;
        released = true;
        reserved -= bytes;
      };
    },
  };
}
