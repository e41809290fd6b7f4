import type { IncomingMessage } from 'node:http';
import type { Response } from 'express';
import { badUpstreamResponse, upstreamAnswerTooLarge, type CallSummary } from '@gw/core';
import { decodeUpstreamBody, readBodyText } from './decode-upstream-body.js';
import { gatewayState, markFirstByte, noteUpstreamRequestId } from './gateway-state.js';
import { endWithinSendTimeout } from './send-timeout.js';

export interface JsonRewriteLimits {
  /** Most decompressed bytes of one answer. */
  maxBytes: number;
  /** Each kept chunk is reserved here first (a memory budget shared across requests); throws to refuse. */
  reserve?: (bytes: number) => void;
  /** The client must take the answer within this many milliseconds. */
  sendTimeoutMs: number;
}

/**
 * A 200 JSON reply from DashScope → the client's JSON. JSON is small and must be whole to convert, so
 * this one buffers, within `maxBytes` and the shared budget (streams never buffer). `convert` is the
 * call's conversion; for a batch it also waits for the other parts.
 */
export async function rewriteJsonResponse({
  upstreamResponse,
  res,
  convert,
  limits,
}: {
  upstreamResponse: IncomingMessage;
  res: Response;
  convert: (json: unknown) => { body: unknown; summary: CallSummary } | Promise<{ body: unknown; summary: CallSummary }>;
  limits: JsonRewriteLimits;
}): Promise<void> {
  const text = await readBodyText(decodeUpstreamBody(upstreamResponse), {
    limit: limits.maxBytes,
    tooLarge: () => upstreamAnswerTooLarge('the answer', limits.maxBytes),
    reserve: limits.reserve,
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw badUpstreamResponse('the body is not JSON.');
  }
  const { body, summary } = await convert(json);
  const state = gatewayState(res);
  state.summary = summary;
  noteUpstreamRequestId(res, summary.requestId);
  if (res.headersSent || res.destroyed) return;
  markFirstByte(res);
  if (state.upstreamRequestId !== undefined) res.setHeader('x-dashscope-request-id', state.upstreamRequestId);
  // Written directly: Express's res.json would also hash the body for an ETag nobody asks for.
  const answer = JSON.stringify(body);
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(answer) });
  res.end(answer);
  endWithinSendTimeout(res, limits.sendTimeoutMs);
}
