import { performance } from 'node:perf_hooks';
import type { Response } from 'express';
import { GatewayError, type CallSummary, type GatewayWarning, type UpstreamCall } from '@gw/core';

/**
 * Everything the gateway's middlewares share about one request, under one namespaced key of
 * `res.locals` so it cannot clash with a host app's own `apiKey` or `error`.
 */
export interface GatewayRequestState {
  /** When the gateway first saw the request (performance.now() milliseconds). */
  readonly startedAt: number;
  /** The request id: the client's `X-Request-Id` when it is sane, else generated. Sent upstream and logged. */
  requestId?: string;
  /** The caller's DashScope key. Lives only here, for this one request; never logged. */
  apiKey?: string;
  /** The short fingerprint of the credential the client presented, computed once per request. */
  keyHash?: string;
  /** The endpoint table entry's id, e.g. `chat.completions`. */
  endpoint?: string;
  /** The model the client asked for. */
  model?: string;
  /** The prepared DashScope call (set by rewriteRequest, carried out by the proxy handlers). */
  call?: UpstreamCall;
  /** What the request rewrite dropped. */
  warnings?: GatewayWarning[];
  /** Set when the call left for DashScope (once: a redirect must not send it again). */
  upstreamSent?: boolean;
  /** Set when DashScope's answer started to arrive: from then on the response handlers own `res`. */
  upstreamResponded?: boolean;
  /** Set when the upstream timeout fired, so a broken answer is reported as a timeout. */
  upstreamTimedOut?: boolean;
  /** When the first byte of the answer was written (performance.now() milliseconds). */
  firstByteAt?: number;
  /** Bytes of a translated stream written to the client, and its data events among them. */
  bytesSent?: number;
  eventsSent?: number;
  /** DashScope's request id for this call (its `x-request-id` header or the body's `request_id`). */
  upstreamRequestId?: string;
  /** Usage and finish reason of a completed call. */
  summary?: CallSummary;
  /** The error the request ended with (also a failure in the middle of a stream). */
  error?: unknown;
}

export const GATEWAY_STATE_KEY = 'dashscopeGateway';

declare global {
  namespace Express {
    interface Locals {
      /** The DashScope gateway's per-request state; see GatewayRequestState. */
      [GATEWAY_STATE_KEY]?: GatewayRequestState;
    }
  }
}

/** This request's gateway state, created on first use. */
export function gatewayState(res: Response): GatewayRequestState {
  let state = res.locals[GATEWAY_STATE_KEY];
  if (state === undefined) {
    state = { startedAt: performance.now() };
    res.locals[GATEWAY_STATE_KEY] = state;
  }
  return state;
}

/** What a request id may look like: short, and safe in headers and logs (no spaces, quotes or newlines). */
const saneRequestId = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

export function isSaneRequestId(value: unknown): value is string {
  return typeof value === 'string' && saneRequestId.test(value);
}

/**
 * Keeps DashScope's request id for this call, the first one seen (its header before its body), and only
 * when it is sane: it goes into a response header, where a newline would throw, and into the logs.
 */
export function noteUpstreamRequestId(res: Response, value: unknown): void {
  const state = gatewayState(res);
  if (state.upstreamRequestId === undefined && isSaneRequestId(value)) state.upstreamRequestId = value;
}

/** Records when the answer's first byte leaves, for the call report's time to first byte. */
export function markFirstByte(res: Response): void {
  const state = gatewayState(res);
  state.firstByteAt ??= performance.now();
}

/**
 * A wiring mistake in the host app (a missing middleware, a proxy option), answered as a 500 that
 * names the fix, never disguised as the client's 400 or an upstream 502.
 */
export function gatewayMisconfigured(message: string): GatewayError {
  return new GatewayError({
    status: 500,
    type: 'server_error',
    code: 'gateway_misconfigured',
    message: `Gateway misconfigured: ${message}`,
  });
}
