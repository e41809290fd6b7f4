import type { Response } from 'express';
import { clientSendTimeout } from '@gw/core';
import { gatewayState } from './gateway-state.js';

/**
 * Cuts a client that takes nothing for `timeoutMs` while the response waits on it: the socket is
 * destroyed and the request reported with `client_send_timeout`. Returns a function that stops the
 * watch (call it when the client drained). A client that stops reading must not hold the gateway's
 * memory and sockets forever.
 */
export function watchSendTimeout(res: Response, timeoutMs: number): () => void {
  const stop = () => {
    clearTimeout(timer);
    res.off('close', stop);
    res.off('finish', stop);
  };
  const timer = setTimeout(() => {
    stop();
    gatewayState(res).error ??= clientSendTimeout(timeoutMs);
    // The socket itself: while the proxy's response handler runs, `res.destroy` is deferred (holdResponseOpen).
    (res.socket ?? res).destroy();
  }, timeoutMs);
  timer.unref();
  res.once('close', stop);
  res.once('finish', stop);
  return stop;
}

/** After the last write: the rest of the response must leave within `timeoutMs`. */
export function endWithinSendTimeout(res: Response, timeoutMs: number): void {
  if (res.writableFinished || res.destroyed) return;
  watchSendTimeout(res, timeoutMs);
}
