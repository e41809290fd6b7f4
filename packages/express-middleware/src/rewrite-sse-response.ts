import type { IncomingMessage } from 'node:http';
import { finished } from 'node:stream';
import type { Response } from 'express';
import { encodeStreamParts, upstreamConnectionLost, upstreamTimeout, type SseUpstreamCall, type StreamPart } from '@gw/core';
import { decodeUpstreamBody } from './decode-upstream-body.js';
import { gatewayState, markFirstByte } from './gateway-state.js';
import { sendOpenAIError } from './send-openai-error.js';

/** Headers that keep proxies (nginx first) from buffering the stream. */
const sseHeaders = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
} as const;

/**
 * DashScope's SSE → the client's SSE, as it arrives: each upstream read is translated and written in
 * one write, with backpressure from the client. The response status waits for the first translated
 * part: an error before any data (a failed call answered as `event:error`) still gets its real HTTP
 * status and a JSON body, so SDKs raise the right error class; an error after that becomes an error
 * event, and the stream ends without `[DONE]`. Resolves when the client's response is over.
 */
export function rewriteSseResponse({
  upstreamResponse,
  res,
  call,
}: {
  upstreamResponse: IncomingMessage;
  res: Response;
  call: SseUpstreamCall;
}): Promise<void> {
  const state = gatewayState(res);
  const translator = call.createStreamTranslator();
  const body = decodeUpstreamBody(upstreamResponse);

  return new Promise<void>((resolve) => {
    let over = false;
    const finish = () => {
      if (over) return;
      over = true;
      state.summary = translator.summary();
      res.off('close', onClientClose);
      res.off('drain', onDrain);
      body.destroy();
      // Ending a response whose client left would mark a 200 as sent in the logs.
      if (!res.writableEnded && !res.destroyed) res.end();
      resolve();
    };
    // The client left: stop reading (destroying the body also ends the upstream request).
    const onClientClose = () => finish();
    const onDrain = () => body.resume();

    /** Writes the parts in one write; an error part or `[DONE]` ends the stream. */
    const deliver = (parts: StreamPart[]): void => {
      if (parts.length === 0 || over) return;
      if (!res.headersSent) {
        const first = parts[0];
        if (first?.type === 'error') {
          sendOpenAIError(res, first.error);
          return finish();
        }
        res.writeHead(200, sseHeaders);
        markFirstByte(res);
      }
      const errorAt = parts.findIndex((part) => part.type === 'error');
      const delivered = errorAt === -1 ? parts : parts.slice(0, errorAt + 1);
      const flowing = res.write(encodeStreamParts(delivered));
      if (errorAt !== -1) {
        state.error = (parts[errorAt] as StreamPart & { type: 'error' }).error;
        return finish();
      }
      if (parts.at(-1)?.type === 'done') return finish();
      if (!flowing) body.pause();
    };
    // Once the answer is complete (DashScope's finish event) it is closed at once, whatever the
    // connection does next: a reset or a silence after the last event cannot turn it into an error.
    const translate = (chunk: Buffer): StreamPart[] => {
      const parts = translator.push(chunk);
      return translator.finished() ? [...parts, ...translator.end()] : parts;
    };

    res.once('close', onClientClose);
    res.on('drain', onDrain);
    if (res.destroyed) return finish();
    body.on('data', (chunk: Buffer) => deliver(translate(chunk)));
    finished(body, (error) => {
      if (over) return;
      if (error === undefined || error === null) {
        deliver(translator.end());
        return finish();
      }
      // The upstream connection broke (reset, timeout, corrupt gzip) in the middle of the body.
      const failure = state.upstreamTimedOut === true ? upstreamTimeout(error) : upstreamConnectionLost(error);
      if (!res.headersSent) sendOpenAIError(res, failure);
      else deliver([{ type: 'error', error: failure }]);
      finish();
    });
  });
}
