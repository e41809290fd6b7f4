import type { IncomingMessage } from 'node:http';
import type { Response } from 'express';
import { badUpstreamResponse } from '@gw/core';
import { decodeUpstreamBody, readBodyText } from './decode-upstream-body.js';
import type { UpstreamExchange } from './express-locals.js';

export interface RewriteJsonResponseOptions {
  upstreamResponse: IncomingMessage;
  res: Response;
  exchange: UpstreamExchange;
  /** Largest DashScope JSON body read, in bytes. */
  limit: number;
}

/**
 * A 200 JSON reply from DashScope → the client's JSON. JSON is small and must be whole to convert, so
 * this one buffers (streams never do).
 */
export async function rewriteJsonResponse({ upstreamResponse, res, exchange, limit }: RewriteJsonResponseOptions): Promise<void> {
  const text = await readBodyText(decodeUpstreamBody(upstreamResponse), limit);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw badUpstreamResponse('the body is not JSON.');
  }
  const converted = exchange.convertResponse(json);
  if (res.headersSent || res.destroyed) return;
  res.status(200).json(converted);
}
