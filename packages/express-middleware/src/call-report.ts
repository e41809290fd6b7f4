import { performance } from 'node:perf_hooks';
import type { Request, Response } from 'express';
import { toOpenAIError, type CallUsage } from '@gw/core';
import { gatewayState } from './gateway-state.js';

/** What one finished request did, for logs and metrics. Never the key, never prompts or answers. */
export interface CallReport {
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
}

/** The report of a request whose response is over (finished or closed). */
export function createCallReport(req: Request, res: Response): CallReport {
  const state = gatewayState(res);
  const error = state.error === undefined ? undefined : toOpenAIError(state.error).body.error;
  const milliseconds = (value: number) => Math.round(value * 1000) / 1000;
  return {
    endpoint: state.endpoint,
    method: req.method,
    path: (req.originalUrl ?? req.url ?? '').split('?')[0] ?? '',
    model: state.model,
    status: res.headersSent ? res.statusCode : undefined,
    stream: state.call?.kind === 'sse',
    usage: state.summary?.usage,
    finishReason: state.summary?.finishReason,
    errorCode: error?.code,
    errorType: error?.type,
    durationMs: milliseconds(performance.now() - state.startedAt),
    timeToFirstByteMs: state.firstByteAt === undefined ? undefined : milliseconds(state.firstByteAt - state.startedAt),
    clientAborted: !res.writableFinished,
    keyHash: state.keyHash,
  };
}
