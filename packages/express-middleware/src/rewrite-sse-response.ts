import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type { Response } from 'express';
import { encodeChatStreamPart, upstreamConnectionLost, upstreamTimeout, type ChatStreamPart } from '@gw/core';
import { decodeUpstreamBody } from './decode-upstream-body.js';
import { sendOpenAIError } from './send-openai-error.js';
import type { UpstreamExchange } from './express-locals.js';

export interface RewriteSseResponseOptions {
  upstreamResponse: IncomingMessage;
  res: Response;
  exchange: UpstreamExchange;
  /** True once the upstream timeout fired, so a broken stream is reported as a timeout. */
  timedOut: () => boolean;
}

/** Headers that keep proxies (nginx first) from buffering the stream. */
const sseHeaders = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
} as const;

/**
 * DashScope's SSE → the client's SSE, event by event as it arrives. The response status waits for the
 * first translated part: an error before any content (a failed call answered as `event:error`) still
 * gets its real HTTP status and a JSON body, so SDKs raise the right error class; an error after that
 * becomes an error event, and the stream ends.
 */
export async function rewriteSseResponse({ upstreamResponse, res, exchange, timedOut }: RewriteSseResponseOptions): Promise<void> {
  const body = decodeUpstreamBody(upstreamResponse);
  const parts = (Readable.toWeb(body) as ReadableStream<Uint8Array>).pipeThrough(exchange.createStreamTranslator());
  const reader = parts.getReader();
  // The client left: stop reading (the proxy also aborts the upstream request).
  const onClose = () => void reader.cancel().catch(() => undefined);
  res.once('close', onClose);

  const write = async (part: ChatStreamPart): Promise<void> => {
    if (res.write(encodeChatStreamPart(part))) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });
  };

  try {
    for (;;) {
      const { value: part, done } = await reader.read();
      if (done || res.destroyed) break;
      if (!res.headersSent) {
        if (part.type === 'error') {
          sendOpenAIError(res, part.error);
          return;
        }
        res.writeHead(200, sseHeaders);
      }
      await write(part);
      if (part.type === 'error') {
        res.locals.error = part.error;
        break;
      }
    }
  } catch (cause) {
    // The upstream connection broke (reset, timeout, corrupt gzip) in the middle of the body.
    const error = timedOut() ? upstreamTimeout(cause) : upstreamConnectionLost(cause);
    if (!res.headersSent) {
      sendOpenAIError(res, error);
      return;
    }
    if (!res.destroyed) await write({ type: 'error', error });
    res.locals.error = error;
  } finally {
    res.off('close', onClose);
    void reader.cancel().catch(() => undefined);
  }
  if (!res.writableEnded) res.end();
}
