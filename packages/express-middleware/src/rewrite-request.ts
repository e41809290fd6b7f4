import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { assertRequestLimits, DEFAULT_REQUEST_LIMITS, type GatewayEndpoint, type RequestLimits, type UpstreamEndpoint } from '@gw/core';
import { gatewayMisconfigured, gatewayState } from './gateway-state.js';
import { incompleteBody, isBodyLost } from './json-body.js';
import { createLogger, type Logger } from './logger.js';
import { formatWarningsHeader, GATEWAY_WARNINGS_HEADER } from './warnings-header.js';

export interface RewriteRequestOptions {
  /** The endpoint table entry to serve, e.g. `chatCompletionsEndpoint` from @gw/core. */
  endpoint: GatewayEndpoint;
  logger?: Logger;
  /** Clock for `created`, in milliseconds. */
  now?: () => number;
  /** Fallback for response ids when DashScope sends no request_id. */
  generateId?: () => string;
  /** Caps on message count and total text, checked before the body is validated; default DEFAULT_REQUEST_LIMITS. */
  limits?: RequestLimits;
}

/**
 * Validates a client's body for one endpoint and prepares the DashScope call that the proxy handlers
 * carry out: where to send it, what to send, and how to translate what comes back.
 */
export function rewriteRequest({
  endpoint,
  logger = createLogger(),
  now = Date.now,
  generateId = randomUUID,
  limits = DEFAULT_REQUEST_LIMITS,
}: RewriteRequestOptions) {
  if (endpoint?.kind !== 'upstream') throw new TypeError('rewriteRequest: endpoint must be an upstream entry of the endpoint table');
  assertRequestLimits(limits, 'rewriteRequest');
  const upstreamEndpoint: UpstreamEndpoint<unknown> = endpoint;

  return function rewriteRequestMiddleware(req: Request, res: Response, next: NextFunction): void {
    const state = gatewayState(res);
    state.endpoint = upstreamEndpoint.id;
    const body: unknown = req.body;
    if (body === undefined && hasBody(req)) {
      // A body parser that finds the connection gone passes on without a body (body-parser does).
      if (isBodyLost(req)) throw incompleteBody();
      throw gatewayMisconfigured(
        'no body parser read this request’s body: mount jsonBody() before rewriteRequest() (express.json() leaves bodies that are not sent as application/json unread).',
      );
    }
    if (typeof body === 'object' && body !== null && typeof (body as { model?: unknown }).model === 'string') {
      state.model = (body as { model: string }).model;
    }
    const { request, warnings } = upstreamEndpoint.parse(body, limits);
    state.warnings = warnings;
    if (warnings.length > 0) {
      res.setHeader(GATEWAY_WARNINGS_HEADER, formatWarningsHeader(warnings));
      for (const warning of warnings) logger.debug(warning.message, { param: warning.param });
    }
    state.call = upstreamEndpoint.prepare(request, { created: Math.floor(now() / 1000), generateId });
    state.model = state.call.model;
    // The body was read already. Forwarded, `Expect: 100-continue` would make the proxy library skip
    // its proxyReq event, so the call would leave without the caller's key and the translated body.
    delete req.headers.expect;
    next();
  };
}

/** RFC 9112 §6.3: a request has a body when it says so with Transfer-Encoding or a non-zero length. */
function hasBody(req: Request): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];
  return length !== undefined && length !== '0';
}
