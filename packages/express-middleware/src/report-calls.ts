import type { NextFunction, Request, Response } from 'express';
import { createCallReport, type CallReport } from './call-report.js';
import { gatewayState } from './gateway-state.js';
import { createLogger, type Logger } from './logger.js';

export interface ReportCallsOptions {
  /** Called once per request when its response is over: finished, failed midway, or left by the client. */
  onCallFinished: (report: CallReport) => unknown;
  /** Where a throwing hook is reported (it never breaks the request). */
  logger?: Logger;
}

/** Per response, the hooks already listening: the same hook mounted twice on a path reports once. */
const reported = new WeakMap<Response, Set<ReportCallsOptions['onCallFinished']>>();

/** The call-finished hook: mount it before the gateway's routes, and every request is reported once. */
export function reportCalls({ onCallFinished, logger = createLogger() }: ReportCallsOptions) {
  if (typeof onCallFinished !== 'function') throw new TypeError('reportCalls: onCallFinished must be a function');
  return function reportCallsMiddleware(req: Request, res: Response, next: NextFunction): void {
    gatewayState(res);
    // mountOpenAIRouter mounts the hook twice: in the router, and for errors raised before it.
    const hooks = reported.get(res) ?? new Set();
    if (hooks.has(onCallFinished)) return next();
    reported.set(res, hooks.add(onCallFinished));
    // 'close' comes after 'finish', and alone when the client left first: once either way.
    res.once('close', () => {
      // A hook that throws, or rejects, never breaks the request or the process.
      Promise.resolve()
        .then(() => onCallFinished(createCallReport(req, res)))
        .catch((error: unknown) => {
          logger.error('The call-finished hook threw', { error: error instanceof Error ? error.message : String(error) });
        });
    });
    next();
  };
}
