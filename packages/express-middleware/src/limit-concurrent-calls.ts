import type { NextFunction, Request, Response } from 'express';
import { createMemoryCallSlots, type CallSlot, type CallSlots } from './call-slots.js';
import { gatewayMisconfigured, gatewayState } from './gateway-state.js';
import { createLogger, type Logger } from './logger.js';
import { tooManyConcurrentRequests } from './rate-limit-errors.js';

export interface LimitConcurrentCallsOptions {
  /** DashScope calls one API key may have in flight at a time, streams or not (counted under its fingerprint). */
  maxPerKey: number;
  /** Where calls in flight are counted; default this process's memory. createRedisCallSlots shares them. */
  slots?: CallSlots;
  /** The 429's Retry-After, in whole seconds; default 1. */
  retryAfter?: number;
  logger?: Logger;
}

/**
 * A cap on the DashScope calls each API key has in flight at once, streams and non-streams alike: one key
 * must not fill the connection pool to DashScope that every key shares. It runs after rewriteRequest and
 * before the proxy (the router's `callMiddlewares`), so a refused call costs no DashScope connection. A
 * slot is taken for each call and given back exactly once when the response closes: finished, cut by the
 * client, or failed. Requests without a key fingerprint pass uncounted.
 */
export function limitConcurrentCalls({
  maxPerKey,
  slots = createMemoryCallSlots(),
  retryAfter = 1,
  logger = createLogger(),
}: LimitConcurrentCallsOptions) {
  if (!Number.isSafeInteger(maxPerKey) || maxPerKey <= 0)
    throw new TypeError(`limitConcurrentCalls: maxPerKey must be a whole number above 0; got ${String(maxPerKey)}`);
  if (typeof slots?.acquire !== 'function')
    throw new TypeError('limitConcurrentCalls: slots must be CallSlots, such as createRedisCallSlots()');
  if (!Number.isSafeInteger(retryAfter) || retryAfter <= 0)
    throw new TypeError(`limitConcurrentCalls: retryAfter must be a whole number of seconds above 0; got ${String(retryAfter)}`);
  let slotsFailing = false;

  return async function limitConcurrentCallsMiddleware(_req: Request, res: Response, next: NextFunction): Promise<void> {
    const { call, keyHash } = gatewayState(res);
    if (call === undefined)
      throw gatewayMisconfigured('limitConcurrentCalls() runs before the call is prepared: mount it after rewriteRequest().');
    if (keyHash === undefined) return next();

    // Listen before waiting for the slot: the client may leave while it is being taken.
    let closed = false;
    let slot: CallSlot | undefined;
    res.once('close', () => {
      closed = true;
      slot?.release();
    });
    try {
      slot = await slots.acquire(keyHash, maxPerKey);
    } catch (error) {
      // The counter is away: the call goes on uncounted rather than failing.
      if (!slotsFailing) {
        slotsFailing = true;
        logger.warn('limitConcurrentCalls: counting calls failed; calls pass uncounted until it works again', {
          error: error instanceof Error ? error.message : String(error),
        });
      }
      return next();
    }
    if (slotsFailing) {
      slotsFailing = false;
      logger.info('limitConcurrentCalls: counting calls works again');
    }
    if (slot === undefined) return next(tooManyConcurrentRequests({ limit: maxPerKey, retryAfter }));
    if (closed) return slot.release();
    next();
  };
}
