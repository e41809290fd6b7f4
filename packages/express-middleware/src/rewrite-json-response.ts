import type { IncomingMessage } from 'node:http';
import type { Response } from 'express';
import { badUpstreamResponse, type JsonUpstreamCall } from '@gw/core';
import { decodeUpstreamBody, readBodyText } from './decode-upstream-body.js';
import { gatewayState, markFirstByte } from './gateway-state.js';

/**
 * A 200 JSON reply from DashScope → the client's JSON. JSON is small and must be whole to convert, so
 * this one buffers, up to `limit` bytes (streams never do).
 */
export async function rewriteJsonResponse({
  upstreamResponse,
  res,
  call,
  limit,
}: {
  upstreamResponse: IncomingMessage;
  res: Response;
  call: JsonUpstreamCall;
  limit: number;
}): Promise<void> {
  const text = await readBodyText(decodeUpstreamBody(upstreamResponse), limit);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw badUpstreamResponse('the body is not JSON.');
  }
  const { body, summary } = call.convertResponse(json);
  gatewayState(res).summary = summary;
  if (res.headersSent || res.destroyed) return;
  markFirstByte(res);
  res.status(200).json(body);
}
