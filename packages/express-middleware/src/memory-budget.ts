/**
 * A count of bytes held in memory across requests, so a crowd of requests that are each within their
 * own cap cannot together exhaust the process: buffered request bodies and buffered DashScope JSON
 * answers reserve from one budget before they read, and whoever finds no room answers 503 instead.
 *
 * A reservation may name its client (request bodies name the client's address): each client then also
 * has a share, so one client's uploads, however many, cannot hold the whole budget and lock every other
 * client out. Reservations without a client (DashScope's answers) count in the total only.
 */
export interface MemoryBudget {
  readonly maxBytes: number;
  /** The most bytes one client's reservations hold at once. */
  readonly maxBytesPerClient: number;
  /** Bytes reserved now: in all, or by one client. */
  inUse(client?: string): number;
  /**
   * Reserves `bytes` if they fit beside what is reserved already, and, for a client, beside what that
   * client holds; returns the release (idempotent: a second call does nothing), or undefined when there
   * is no room.
   */
  tryReserve(bytes: number, client?: string): (() => void) | undefined;
}

export interface MemoryBudgetOptions {
  /** The most bytes reserved at once. */
  maxBytes: number;
  /**
   * The most bytes reserved at once by one client; default maxBytes (the total is then the only bound,
   * as it is for a share larger than the total).
   */
  maxBytesPerClient?: number;
}

export function createMemoryBudget({ maxBytes, maxBytesPerClient = maxBytes }: MemoryBudgetOptions): MemoryBudget {
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new TypeError('createMemoryBudget: maxBytes must be a positive integer');
  if (!Number.isSafeInteger(maxBytesPerClient) || maxBytesPerClient < 1)
    throw new TypeError('createMemoryBudget: maxBytesPerClient must be a positive integer');
  let reserved = 0;
  // Only clients holding bytes have an entry, so the map is as large as the reservations in flight.
  const reservedBy = new Map<string, number>();
  return {
    maxBytes,
    maxBytesPerClient,
    inUse: (client) => (client === undefined ? reserved : (reservedBy.get(client) ?? 0)),
    tryReserve(bytes, client) {
      if (!Number.isSafeInteger(bytes) || bytes < 0) throw new TypeError('MemoryBudget.tryReserve: bytes must be a non-negative integer');
      if (reserved + bytes > maxBytes) return undefined;
      if (client !== undefined) {
        const held = reservedBy.get(client) ?? 0;
        if (held + bytes > maxBytesPerClient) return undefined;
        if (bytes > 0) reservedBy.set(client, held + bytes);
      }
      reserved += bytes;
      let released = false;
      return function release() {
        if (released) return;
        released = true;
        reserved -= bytes;
        if (client === undefined || bytes === 0) return;
        const left = (reservedBy.get(client) ?? 0) - bytes;
        if (left > 0) reservedBy.set(client, left);
        else reservedBy.delete(client);
      };
    },
  };
}

/** A buffer's part of the budget, resized as the buffer grows or shrinks. */
export interface BudgetReservation {
  /** Holds `bytes` in all (more or fewer than now); false, keeping what it held, when they do not fit. */
  resizeTo(bytes: number): boolean;
  /** Whether holding `bytes` goes over the client's share, whatever the rest of the budget holds. */
  isOverShare(bytes: number): boolean;
  /** Gives everything back; later resizes fail. */
  release(): void;
}

/**
 * One reservation at a time for a buffer whose size changes (a body read chunk by chunk, an answer, an
 * event not yet complete), so a million small chunks do not keep a million releases. Resizing gives the
 * old reservation back and takes the new size, or, when that finds no room, takes the old one back
 * again, which cannot fail, as nothing else ran in between. Without a budget every resize succeeds.
 */
export function createBudgetReservation(budget: MemoryBudget | undefined, client?: string): BudgetReservation {
  let reserved = 0;
  let release = noop;
  let released = false;
  return {
    resizeTo(bytes) {
      if (budget === undefined || bytes === reserved) return true;
      if (released) return false;
      release();
      const resized = budget.tryReserve(bytes, client);
      if (resized === undefined) {
        release = budget.tryReserve(reserved, client) ?? noop;
        return false;
      }
      release = resized;
      reserved = bytes;
      return true;
    },
    isOverShare(bytes) {
      return budget !== undefined && client !== undefined && budget.inUse(client) - reserved + bytes > budget.maxBytesPerClient;
    },
    release() {
      released = true;
      release();
    },
  };
}

function noop(): void {}
