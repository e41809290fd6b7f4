import type { ServerResponse } from 'node:http';

/**
 * httpxy (under http-proxy-middleware) destroys the client's response as soon as DashScope's response
 * closes early, even with `selfHandleResponse`, which would cut a stream before the gateway can send the
 * OpenAI error event. While the gateway's own handler runs, such a destroy is deferred; the returned
 * release function applies it afterwards unless the handler ended the response properly.
 * A client that disconnects still closes its socket itself, so nothing waits on a gone client.
 */
export function holdResponseOpen(res: ServerResponse): () => void {
  const destroy = res.destroy;
  let deferred: { error: Error | undefined } | undefined;
  res.destroy = function deferDestroy(this: ServerResponse, error?: Error) {
    deferred = { error };
    return this;
  };
  return function release() {
    res.destroy = destroy;
    if (deferred !== undefined && !res.writableEnded) destroy.call(res, deferred.error);
  };
}
