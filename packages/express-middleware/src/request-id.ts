import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { gatewayState, isSaneRequestId } from './gateway-state.js';

export interface RequestIdOptions {
  /** The header read from the client and set on the response; default `x-request-id`. */
  header?: string;
  /** Makes an id when the client sent none (or one that is not sane); default a random UUID. */
  generate?: () => string;
}

/**
 * One id per request: the client's `X-Request-Id` when it is sane, else a new one. It is returned on
 * the response, sent to DashScope, and written on both log lines, so an operator can pair the
 * "started" and "completed" lines of one request under concurrency and trace it to the client.
 * Mount it first, before the request logger.
 */
export function requestId({ header = 'x-request-id', generate = randomUUID }: RequestIdOptions = {}) {
  if (typeof header !== 'string' || !/^[a-z0-9-]+$/i.test(header)) throw new TypeError('requestId: header must be a header name');
  if (typeof generate !== 'function') throw new TypeError('requestId: generate must be a function');
  const name = header.toLowerCase();
  return function requestIdMiddleware(req: Request, res: Response, next: NextFunction): void {
    const state = gatewayState(res);
    if (state.requestId === undefined) {
      const sent = req.headers[name];
      state.requestId = isSaneRequestId(sent) ? sent : generate();
    }
    res.setHeader(name, state.requestId);
    next();
  };
}
