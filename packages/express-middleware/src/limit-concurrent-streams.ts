import type { NextFunction, Request, Response } from 'express';
import { gatewayMisconfigured, gatewayState } from './gateway-state.js';
import { createLogger, type Logger } from './logger.js';
import { tooManyConcurrentStreams } from './rate-limit-errors.js';
import { createMemoryStreamSlots, type StreamSlot, type StreamSlots } from './stream-slots.js';

export interface LimitConcurrentStreamsOptions {
  /** Streams one API key may have open at a time (counted under its fingerprint). */
  maxPerKey: number;
  /** Where open streams are counted; default this process's memory. createRedisStreamSlots shares them. */
  slots?: StreamSlots;
  /** The 429's Retry-After, in whole seconds; default 1. */
  retryAfter?: number;
  logger?: Logger;
}

/**
 * A cap on the streams each API key has open at once. Whether a request streams is known only once its
 * body is read, so this runs after rewriteRequest and before the proxy (the router's `callMiddlewares`).
 * A slot is taken for each stream and given back exactly once when the response closes: finished, cut by
 * the client, or failed. Non-stream calls, and requests without a key fingerprint, pass uncounted.
 */
export function limitConcurrentStreams({
  maxPerKey,
  slots = createMemoryStreamSlots(),
  retryAfter = 1,
  logger = createLogger(),
}: LimitConcurrentStreamsOptions) {
  if (!Number.isSafeInteger(maxPerKey) || maxPerKey <= 0)
    throw new TypeError(`limitConcurrentStreams: maxPerKey must be a whole number above 0; got ${String(maxPerKey)}`);
  if (typeof slots?.acquire !== 'function')
    throw new TypeError('limitConcurrentStreams: slots must be StreamSlots, such as createRedisStreamSlots()');
  if (!Number.isSafeInteger(retryAfter) || retryAfter <= 0)
    throw new TypeError(`limitConcurrentStreams: retryAfter must be a whole number of seconds above 0; got ${String(retryAfter)}`);
  let slotsFailing = false;

  return async function limitConcurrentStreamsMiddleware(_req: Request, res: Response, next: NextFunction): Promise<void> {
    const { call, keyHash } = gatewayState(res);
    if (call === undefined)
      throw gatewayMisconfigured('limitConcurrentStreams() runs before the call is prepared: mount it after rewriteRequest().');
    if (call.kind !== 'sse' || keyHash === undefined) return next();

    // Listen before waiting for the slot: the client may leave while it is being taken.
    let closed = false;
    let slot: StreamSlot | undefined;
    res.once('close', () => {
      closed = true;
      slot?.release();
    });
    try {
      slot = await slots.acquire(keyHash, maxPerKey);
    } catch (error) {
      // The counter is away: the stream goes on uncounted rather than failing.
      if (!slotsFailing) {
        slotsFailing = true;
        logger.warn('limitConcurrentStreams: counting streams failed; streams pass uncounted until it works again', {
          error: error instanceof Error ? error.message : String(error),
        });
      }
      return next();
    }
    if (slotsFailing) {
      slotsFailing = false;
      logger.info('limitConcurrentStreams: counting streams works again');
    }
    if (slot === undefined) return next(tooManyConcurrentStreams({ limit: maxPerKey, retryAfter }));
    if (closed) return slot.release();
    next();
  };
}
