import type { NextFunction, Request, Response } from 'express';

/**
 * The server's graceful shutdown, as the app sees it: whether it is draining (responses then carry
 * `Connection: close`, so kept-alive clients reconnect elsewhere), the signal that cuts calls still
 * running at the drain deadline (streams end with a `server_shutting_down` error event), and the
 * requests in flight, so the log can say how many were cut.
 */
export interface Drain {
  readonly draining: boolean;
  /** Aborted at the drain deadline. */
  readonly signal: AbortSignal;
  /** Requests whose responses are not over yet. */
  inFlight(): number;
  /** Starts draining: no more kept-alive reuse. */
  begin(): void;
  /** The deadline passed: cut whatever still runs. Returns how many requests were cut. */
  cut(): number;
  /** Resolves once no request is in flight. */
  idle(): Promise<void>;
  /** Mount first: counts requests and marks responses while draining. */
  middleware(req: Request, res: Response, next: NextFunction): void;
}

export function createDrain(): Drain {
  const controller = new AbortController();
  let draining = false;
  let inFlight = 0;
  let waiters: Array<() => void> = [];

  const settle = () => {
    if (inFlight > 0) return;
    for (const resolve of waiters) resolve();
    waiters = [];
  };

  return {
    get draining() {
      return draining;
    },
    signal: controller.signal,
    inFlight: () => inFlight,
    begin() {
      draining = true;
    },
    cut() {
      const cut = inFlight;
      controller.abort();
      return cut;
    },
    idle() {
      return new Promise<void>((resolve) => {
        waiters.push(resolve);
        settle();
      });
    },
    middleware(req, res, next) {
      inFlight += 1;
      res.once('close', () => {
        inFlight -= 1;
        settle();
      });
      // A response whose headers left before the drain began promised keep-alive; once it is over,
      // its connection is closed all the same, so nothing more is served on it.
      // (The request's socket: Node detaches the response's own before this listener runs.)
      res.once('finish', () => {
        if (draining && !req.socket.writableEnded) req.socket.end();
      });
      // Checked when the headers leave, so a response under way when draining began says goodbye too.
      const writeHead = res.writeHead;
      res.writeHead = function writeHeadWhileDraining(this: Response, ...args: Parameters<Response['writeHead']>) {
        if (draining && !this.headersSent) this.setHeader('connection', 'close');
        return writeHead.apply(this, args);
      } as Response['writeHead'];
      next();
    },
  };
}
