import { performance } from 'node:perf_hooks';
import type { Request, Response } from 'express';
import { isGatewayError, toOpenAIError, type CallUsage } from '@gw/core';
import { gatewayState } from './gateway-state.js';

/**
 * How a request ended, in one word an operator can count:
 * - `completed`: answered in full (an error answer the client caused is `rejected`);
 * - `rejected`: refused by the gateway before DashScope (bad request, no key, rate limited);
 * - `upstream_error`: DashScope answered with an error (its code is in `upstreamErrorCode`);
 * - `upstream_failed`: DashScope could not be reached, broke the connection or sent something unreadable;
 * - `timed_out`: one of the gateway's waits ran out (connect, first byte, silence, stream length,
 *   a body that never arrived, a client that stopped reading);
 * - `overloaded`: a pool or budget of the gateway was full (503 `upstream_busy` / `server_busy`);
 * - `client_left`: the client closed the connection before the answer was complete;
 * - `cut_at_shutdown`: still running at the server's drain deadline;
 * - `failed`: any other gateway error.
 */
export type CallOutcome =
  | 'completed'
  | 'rejected'
  | 'upstream_error'
  | 'upstream_failed'
  | 'timed_out'
  | 'overloaded'
  | 'client_left'
  | 'cut_at_shutdown'
  | 'failed';

const outcomeByCode: Readonly<Record<string, CallOutcome>> = {
  // The gateway's own limits (a DashScope throttle, which carries its own code, is `upstream_error`).
  rate_limit_exceeded: 'rejected',
  too_many_concurrent_requests: 'rejected',
  server_shutting_down: 'cut_at_shutdown',
  upstream_timeout: 'timed_out',
  upstream_connect_timeout: 'timed_out',
  stream_too_long: 'timed_out',
  request_timeout: 'timed_out',
  client_send_timeout: 'timed_out',
  upstream_busy: 'overloaded',
  server_busy: 'overloaded',
  upstream_unreachable: 'upstream_failed',
  upstream_connection_lost: 'upstream_failed',
  upstream_stream_truncated: 'upstream_failed',
  bad_upstream_response: 'upstream_failed',
};

/** What one finished request did, for logs and metrics. Never the key, never prompts or answers. */
export interface CallReport {
  /** The request id (the client's X-Request-Id, or generated), when requestId() runs. */
  requestId: string | undefined;
  outcome: CallOutcome;
  /** The endpoint table entry's id (`chat.completions`, `models.list`…); undefined for other routes. */
  endpoint: string | undefined;
  method: string;
  /** The path as requested, without the query. */
  path: string;
  model: string | undefined;
  /** The HTTP status sent; a stream that failed midway still says 200 here and names its `errorCode`. */
  status: number | undefined;
  stream: boolean;
  usage: CallUsage | undefined;
  finishReason: string | null | undefined;
  /** The OpenAI error code the request ended with, also for a failure in the middle of a stream. */
  errorCode: string | null | undefined;
  errorType: string | undefined;
  durationMs: number;
  /** Until the first byte of the answer was written. */
  timeToFirstByteMs: number | undefined;
  /** The client closed the connection before the answer was complete. */
  clientAborted: boolean;
  /** The fingerprint of the client's credential, or undefined when it sent none. */
  keyHash: string | undefined;
  /** DashScope's request id and, for a DashScope error, its own code. */
  upstreamRequestId: string | undefined;
  upstreamErrorCode: string | undefined;
  /** Of a stream: bytes and data events written to the client. */
  bytesSent: number | undefined;
  eventsSent: number | undefined;
}

/** The report of a request whose response is over (finished or closed). */
export function createCallReport(req: Request, res: Response): CallReport {
  const state = gatewayState(res);
  const error = state.error === undefined ? undefined : toOpenAIError(state.error).body.error;
  const upstream = isGatewayError(state.error) ? state.error : undefined;
  const milliseconds = (value: number) => Math.round(value * 1000) / 1000;
  const clientAborted = !res.writableFinished;
  const outcome: CallOutcome =
    error === undefined
      ? clientAborted
        ? 'client_left'
        : 'completed'
      : upstream?.upstreamCode !== undefined
        ? 'upstream_error'
        : (outcomeByCode[error.code ?? ''] ??
          (clientAborted && res.headersSent ? 'client_left' : toOpenAIError(state.error).status < 500 ? 'rejected' : 'failed'));
  return {
    requestId: state.requestId,
    outcome,
    endpoint: state.endpoint,
    method: req.method,
    path: (req.originalUrl ?? req.url ?? '').split('?')[0] ?? '',
    model: state.model,
    status: res.headersSent ? res.statusCode : undefined,
    stream: state.call?.kind === 'sse' && state.call.respondAs !== 'json',
    usage: state.summary?.usage,
    finishReason: state.summary?.finishReason,
    errorCode: error?.code,
    errorType: error?.type,
    durationMs: milliseconds(performance.now() - state.startedAt),
    timeToFirstByteMs: state.firstByteAt === undefined ? undefined : milliseconds(state.firstByteAt - state.startedAt),
    clientAborted,
    keyHash: state.keyHash,
    upstreamRequestId: state.upstreamRequestId,
    upstreamErrorCode: upstream?.upstreamCode,
    bytesSent: state.bytesSent,
    eventsSent: state.eventsSent,
  };
}
