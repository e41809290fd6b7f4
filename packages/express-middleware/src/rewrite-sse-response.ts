import type { IncomingMessage } from 'node:http';
import { finished } from 'node:stream';
import type { Response } from 'express';
import {
  badUpstreamResponse,
  encodeStreamParts,
  serverBusy,
  serverShuttingDown,
  upstreamAnswerTooLarge,
  upstreamConnectionLost,
  upstreamStreamTimeout,
  upstreamTimeout,
  type GatewayError,
  type SseUpstreamCall,
  type StreamLimits,
  type StreamPart,
} from '@gw/core';
import { decodeUpstreamBody } from './decode-upstream-body.js';
import { createBudgetReservation, type MemoryBudget } from './memory-budget.js';
import { gatewayState, markFirstByte, noteUpstreamRequestId } from './gateway-state.js';
import { sendOpenAIError } from './send-openai-error.js';
import { endWithinSendTimeout, watchSendTimeout } from './send-timeout.js';

/** Headers that keep proxies (nginx first) from buffering the stream. */
const sseHeaders = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
} as const;

/** How long the rest of a complete answer may take to arrive before its connection is closed instead. */
const upstreamDrainMs = 1_000;

/** A comment line: OpenAI's SDKs skip it, and it keeps idle timeouts of proxies in between from firing. */
const heartbeat = ': keep-alive\n\n';

export interface SseRewriteLimits {
  /** Longest wait for DashScope's next event; comments (DashScope's heartbeats) are no progress. */
  idleTimeoutMs: number;
  /** Longest stream, start to end. */
  maxDurationMs: number;
  /** A comment to the client after this much silence; 0 for none. */
  heartbeatIntervalMs: number;
  /** Longest time the client may take nothing while the gateway has something to send. */
  sendTimeoutMs: number;
  /** Most decompressed bytes of one DashScope stream. */
  maxStreamBytes: number;
  /** Line and event caps of the SSE decoder. */
  streamLimits?: Partial<StreamLimits>;
}

/**
 * DashScope's SSE → the client's SSE, as it arrives: each upstream read is translated and written in
 * one write, with backpressure from the client. The response status waits for the first translated
 * part: an error before any data (a failed call answered as `event:error`) still gets its real HTTP
 * status and a JSON body, so SDKs raise the right error class; an error after that becomes an error
 * event, and the stream ends without `[DONE]`. A heartbeat (sent while DashScope thinks) commits to
 * the 200. Every wait is bounded: DashScope's silence, the stream's length, a client that stops
 * reading, and the server's shutdown (`signal`). Resolves when the client's response is over.
 *
 * A call that responds as JSON (`respondAs: 'json'`, a non-stream answer DashScope gives only as a
 * stream) is read the same way, with the same bounds, but its client gets one JSON body: the answer the
 * translator collected, or the error, with its real status. It gets no heartbeats, which would commit
 * to a 200 before the answer is known.
 */
export function rewriteSseResponse({
  upstreamResponse,
  res,
  call,
  limits,
  signal,
  budget,
}: {
  upstreamResponse: IncomingMessage;
  res: Response;
  call: SseUpstreamCall;
  limits: SseRewriteLimits;
  signal?: AbortSignal | undefined;
  /** Counts the text held for an incomplete event, together with every other buffer of the gateway. */
  budget?: MemoryBudget | undefined;
}): Promise<void> {
  const state = gatewayState(res);
  const respondsJson = call.respondAs === 'json';
  const heartbeatIntervalMs = respondsJson ? 0 : limits.heartbeatIntervalMs;
  const translator = call.createStreamTranslator(limits.streamLimits);
  const body = decodeUpstreamBody(upstreamResponse);
  state.bytesSent ??= 0;
  state.eventsSent ??= 0;

  return new Promise<void>((resolve) => {
    let over = false;
    let receivedBytes = 0;
    let eventsSeen = 0;
    let idleTimer: NodeJS.Timeout | undefined;
    let heartbeatTimer: NodeJS.Timeout | undefined;
    let stopSendWatch: (() => void) | undefined;
    const held = createBudgetReservation(budget);

    const finish = () => {
      if (over) return;
      over = true;
      clearTimeout(idleTimer);
      clearTimeout(heartbeatTimer);
      clearTimeout(totalTimer);
      stopSendWatch?.();
      held.release();
      signal?.removeEventListener('abort', onShutdown);
      state.summary = translator.summary();
      noteUpstreamRequestId(res, state.summary.requestId);
      res.off('close', onClientClose);
      res.off('drain', onDrain);
      releaseUpstream();
      // Ending a response whose client left would mark a 200 as sent in the logs.
      if (!res.writableEnded && !res.destroyed) {
        res.end();
        if (!res.writableFinished) stopSendWatch = watchSendTimeout(res, limits.sendTimeoutMs);
      }
      resolve();
    };
    /**
     * A complete answer leaves the upstream connection for the next call: what is left of the body (the
     * chunked terminator) is read, briefly, so the socket goes back to the pool instead of being closed.
     * Anything else (the client left, an error) closes it, which also ends the upstream request.
     */
    const releaseUpstream = () => {
      body.off('data', onData);
      if (upstreamResponse.complete) return;
      if (!translator.finished() || state.error !== undefined) {
        body.destroy();
        return;
      }
      const drainTimer = setTimeout(() => body.destroy(), upstreamDrainMs);
      drainTimer.unref();
      body.once('close', () => clearTimeout(drainTimer));
      body.once('end', () => clearTimeout(drainTimer));
      body.resume();
    };
    /** Ends the stream with a gateway-made error: a JSON answer before the first byte, an error event after. */
    const fail = (error: GatewayError) => deliver([{ type: 'error', error }]);

    // Re-armed on every upstream read and every write: `refresh()` moves a timer without allocating a
    // new one, which at tens of thousands of events a second is most of what timers cost.
    const armIdle = () => {
      if (idleTimer === undefined)
        idleTimer = setTimeout(() => fail(upstreamStreamTimeout('idle', limits.idleTimeoutMs)), limits.idleTimeoutMs);
      else idleTimer.refresh();
    };
    const armHeartbeat = () => {
      if (heartbeatIntervalMs <= 0) return;
      if (heartbeatTimer === undefined) heartbeatTimer = setTimeout(sendHeartbeat, heartbeatIntervalMs);
      else heartbeatTimer.refresh();
    };
    const sendHeartbeat = () => {
      if (over || res.writableNeedDrain) return;
      startResponse();
      write(heartbeat);
    };
    const totalTimer = setTimeout(() => fail(upstreamStreamTimeout('total', limits.maxDurationMs)), limits.maxDurationMs);
    const onShutdown = () => fail(serverShuttingDown());
    // The client left: stop reading (destroying the body also ends the upstream request).
    const onClientClose = () => finish();
    const onDrain = () => {
      if (over) return;
      stopSendWatch?.();
      stopSendWatch = undefined;
      body.resume();
      armIdle();
      armHeartbeat();
    };

    const startResponse = () => {
      if (res.headersSent) return;
      if (state.upstreamRequestId !== undefined) res.setHeader('x-dashscope-request-id', state.upstreamRequestId);
      res.writeHead(200, sseHeaders);
      markFirstByte(res);
    };
    /** One write; when the client is not taking it, upstream reading pauses until it drains. */
    const write = (text: string): void => {
      state.bytesSent! += Buffer.byteLength(text);
      armHeartbeat();
      if (res.write(text)) return;
      body.pause();
      // While the client holds the stream up, DashScope's silence is not DashScope's fault.
      clearTimeout(idleTimer);
      clearTimeout(heartbeatTimer);
      idleTimer = heartbeatTimer = undefined;
      stopSendWatch ??= watchSendTimeout(res, limits.sendTimeoutMs);
    };

    /** The collected answer as one JSON body, or the error that came instead. */
    const deliverJson = (first: StreamPart): void => {
      noteUpstreamRequestId(res, translator.summary().requestId);
      if (state.upstreamRequestId !== undefined) res.setHeader('x-dashscope-request-id', state.upstreamRequestId);
      if (first.type === 'error') sendOpenAIError(res, first.error);
      else if (first.type === 'data' && !res.headersSent) {
        let answer: string;
        try {
          answer = JSON.stringify(first.data);
        } catch (error) {
          // Bounded by the byte cap below, so only a bug gets here; it must still not take the process down.
          sendOpenAIError(res, badUpstreamResponse(`the collected answer could not be written (${String(error)}).`));
          return finish();
        }
        const length = Buffer.byteLength(answer);
        state.bytesSent! += length;
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': length });
        markFirstByte(res);
        res.end(answer);
        endWithinSendTimeout(res, limits.sendTimeoutMs);
      }
      finish();
    };

    /** Writes the parts in one write; an error part or `[DONE]` ends the stream. */
    const deliver = (parts: StreamPart[]): void => {
      if (parts.length === 0 || over) return;
      if (respondsJson) return deliverJson(parts[0]!);
      if (!res.headersSent) {
        noteUpstreamRequestId(res, translator.summary().requestId);
        const first = parts[0];
        if (first?.type === 'error') {
          if (state.upstreamRequestId !== undefined) res.setHeader('x-dashscope-request-id', state.upstreamRequestId);
          sendOpenAIError(res, first.error);
          return finish();
        }
        startResponse();
      }
      const errorAt = parts.findIndex((part) => part.type === 'error');
      const delivered = errorAt === -1 ? parts : parts.slice(0, errorAt + 1);
      for (const part of delivered) if (part.type === 'data') state.eventsSent! += 1;
      write(encodeStreamParts(delivered));
      if (errorAt !== -1) {
        state.error = (parts[errorAt] as StreamPart & { type: 'error' }).error;
        return finish();
      }
      if (parts.at(-1)?.type === 'done') return finish();
    };
    // Once the answer is complete (DashScope's finish event) it is closed at once, whatever the
    // connection does next: a reset or a silence after the last event cannot turn it into an error.
    const translate = (chunk: Buffer): StreamPart[] => {
      receivedBytes += chunk.length;
      if (receivedBytes > limits.maxStreamBytes)
        return [{ type: 'error', error: upstreamAnswerTooLarge('the stream', limits.maxStreamBytes) }];
      const parts = translator.push(chunk);
      // What the translator holds (an event not ended yet, tool calls in progress, a collected answer) counts
      // against the shared budget, so many streams each holding some cannot add up unbounded.
      const heldBytes = translator.bufferedLength() * 2;
      if (!held.resizeTo(heldBytes))
        return [...parts, { type: 'error', error: serverBusy('the memory for buffered stream events is in use.') }];
      // A collected answer can outgrow the stream that carried it (each call gains an id and keys): it is
      // held to the same cap, in the bytes its JSON will take.
      if (respondsJson && heldBytes > limits.maxStreamBytes)
        return [{ type: 'error', error: upstreamAnswerTooLarge('the collected answer', limits.maxStreamBytes) }];
      if (translator.eventCount() > eventsSeen) {
        eventsSeen = translator.eventCount();
        if (!res.writableNeedDrain) armIdle();
      }
      return translator.finished() ? [...parts, ...translator.end()] : parts;
    };

    function onData(chunk: Buffer): void {
      let parts: StreamPart[];
      try {
        parts = translate(chunk);
      } catch (error) {
        // The translation is pure and bounded; should it throw anyway, only this call fails.
        parts = [{ type: 'error', error: badUpstreamResponse(`an event could not be translated (${String(error)}).`) }];
      }
      deliver(parts);
    }
    res.once('close', onClientClose);
    res.on('drain', onDrain);
    if (res.destroyed) return finish();
    if (signal?.aborted === true) return onShutdown();
    signal?.addEventListener('abort', onShutdown, { once: true });
    armIdle();
    armHeartbeat();
    body.on('data', onData);
    finished(body, (error) => {
      if (over) return;
      if (error === undefined || error === null) {
        let parts: StreamPart[];
        try {
          parts = translator.end();
        } catch (failure) {
          parts = [{ type: 'error', error: badUpstreamResponse(`the end of the stream could not be translated (${String(failure)}).`) }];
        }
        deliver(parts);
        return finish();
      }
      // The upstream connection broke (reset, timeout, corrupt gzip) in the middle of the body.
      fail(state.upstreamTimedOut === true ? upstreamTimeout(error) : upstreamConnectionLost(error));
      finish();
    });
  });
}
