import { readdirSync, readFileSync } from 'node:fs';
import type { Logger } from '@gw/express-middleware';

export interface FileDescriptorWatch {
  /** The soft limit on open descriptors, when the platform tells (Linux's /proc). */
  readonly limit: number | undefined;
  stop(): void;
}

/** Warn from this share of the limit on. */
const nearlyOutShare = 0.9;
/** At most one warning per this many milliseconds, so a flood stays one line a minute. */
const warnEveryMs = 60_000;

/**
 * Out of file descriptors, libuv accepts and closes every new connection to keep its loop alive, and
 * Node hears nothing of it: the service answers everyone with a close and logs nothing. So the gateway
 * counts its own descriptors (Linux's /proc/self/fd) and logs when it nears the limit, and warns at
 * start when MAX_CONNECTIONS cannot fit under it (Node's own refusals, below MAX_CONNECTIONS, are logged).
 */
export function watchFileDescriptors({
  logger,
  intervalMs = 2_000,
  expectedPeak,
}: {
  logger: Logger;
  intervalMs?: number;
  /** Descriptors the settings may need at once (client connections plus upstream sockets). */
  expectedPeak?: number;
}): FileDescriptorWatch {
  const limit = readSoftLimit();
  if (limit === undefined) return { limit, stop: () => undefined };
  if (expectedPeak !== undefined && expectedPeak > limit * nearlyOutShare) {
    logger.warn('The file-descriptor limit is below what MAX_CONNECTIONS and UPSTREAM_MAX_SOCKETS may need: raise `ulimit -n`', {
      limit,
      needed: expectedPeak,
    });
  }
  let lastWarning = -Infinity;
  const timer = setInterval(() => {
    const open = countOpen(limit);
    if (open === undefined || open < limit * nearlyOutShare || Date.now() - lastWarning < warnEveryMs) return;
    lastWarning = Date.now();
    logger.error('Nearly out of file descriptors: new connections will be closed unanswered', { open, limit });
  }, intervalMs);
  timer.unref();
  return { limit, stop: () => clearInterval(timer) };
}

function readSoftLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((candidate) => candidate.startsWith('Max open files'));
    const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
    return soft === undefined || !/^\d+$/.test(soft) ? undefined : Number(soft);
  } catch {
    return undefined;
  }
}

function countOpen(limit: number): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch (error) {
    // Reading the directory takes a descriptor too: failing for want of one is the answer.
    return (error as NodeJS.ErrnoException).code === 'EMFILE' ? limit : undefined;
  }
}
