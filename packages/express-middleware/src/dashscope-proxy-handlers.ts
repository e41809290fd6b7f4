import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Request, Response } from 'express';
import { proxyEventsPlugin, type Plugin } from 'http-proxy-middleware';
import {
  badUpstreamResponse,
  isGatewayError,
  parseDashScopeErrorResponse,
  serverBusy,
  serverShuttingDown,
  upstreamConnectionLost,
  upstreamTimeout,
  upstreamUnreachable,
  type GatewayError,
  type StreamLimits,
} from '@gw/core';
import { createUpstreamAgent, isUpstreamAgent, type UpstreamAgent, type UpstreamAgentOptions } from './create-upstream-agent.js';
import { decodeUpstreamBody, readBodyText } from './decode-upstream-body.js';
import { FORWARDED_REQUEST_HEADERS } from './forwarded-request-headers.js';
import { gatewayMisconfigured, gatewayState, noteUpstreamRequestId } from './gateway-state.js';
import { holdResponseOpen } from './hold-response-open.js';
import { createLogger, type LogFields, type Logger } from './logger.js';
import { rewriteJsonResponse } from './rewrite-json-response.js';
import { rewriteSseResponse, type SseRewriteLimits } from './rewrite-sse-response.js';
import { createBudgetReservation, type MemoryBudget } from './memory-budget.js';
import { sendBatchParts, type BatchParts } from './send-batch-parts.js';
import { sendOpenAIError } from './send-openai-error.js';

/**
 * What a buffered JSON answer costs in memory per byte received: its text, the parsed values (an
 * embedding's numbers take more as JS values than as text) and the answer written back. Measured on
 * 2048-text embedding batches: about 4x the text, of which the text itself is counted once elsewhere.
 */
const JSON_ANSWER_MEMORY_FACTOR = 3;

export interface DashScopeProxyHandlersOptions {
  /** DashScope's base URL, the proxy's `target`: the default pool is made for its protocol. */
  baseUrl?: string;
  /** The default pool's size and waits (see createUpstreamAgent). */
  pool?: Omit<UpstreamAgentOptions, 'baseUrl'>;
  /**
   * The bounded pool of connections to DashScope; default `createUpstreamAgent({ baseUrl, ...pool })`.
   * The proxy must send through it: create it with `agent: handlers.agent`.
   */
  agent?: UpstreamAgent;
  /** Longest wait for DashScope's reply to start, in milliseconds (504 `upstream_timeout`). */
  timeoutMs?: number;
  /** Longest silence inside an answer: between stream events (comments do not count), or in a JSON body. */
  idleTimeoutMs?: number;
  /** Longest stream, start to end, in milliseconds. */
  maxStreamDurationMs?: number;
  /** An SSE comment to the client after this much silence, so proxies in between keep the stream; 0 = off. */
  heartbeatIntervalMs?: number;
  /** Longest time a client may take nothing of its answer before it is cut, in milliseconds. */
  sendTimeoutMs?: number;
  /** Largest DashScope JSON body read (decompressed), in bytes. */
  maxUpstreamJsonBytes?: number;
  /** Largest DashScope stream read (decompressed), in bytes. */
  maxUpstreamStreamBytes?: number;
  /** Most of a DashScope error body read (decompressed), in bytes; the rest is dropped. */
  maxUpstreamErrorBytes?: number;
  /** Line and event caps of the stream decoder (characters). */
  streamLimits?: Partial<StreamLimits>;
  /** Most parts of one batch call (an embedding request over a model's per-call limit) in flight at once. */
  batchConcurrency?: number;
  /** A budget shared across requests for buffered JSON answers (and request bodies): over it, 503. */
  memoryBudget?: MemoryBudget;
  /** Aborted when the server shuts down: calls still running end with `server_shutting_down`. */
  shutdownSignal?: AbortSignal;
  logger?: Logger;
}

/** The proxy's options the handlers read: `target` (DashScope's base URL) and `selfHandleResponse`. */
interface ProxyOptionsSeen {
  target?: unknown;
  selfHandleResponse?: boolean;
  ejectPlugins?: boolean;
  on?: { error?: unknown };
}

export interface DashScopeProxyHandlers {
  /** http-proxy-middleware's `on` option: spread into yours, or use `plugin` instead. */
  on: {
    proxyReq: (proxyRequest: ClientRequest, req: Request, res: Response, options: ProxyOptionsSeen) => void;
    proxyRes: (upstreamResponse: IncomingMessage, req: Request, res: Response) => Promise<void>;
    error: (error: Error, req: IncomingMessage, res: ServerResponse | Socket) => void;
  };
  /**
   * The same handlers as an http-proxy-middleware plugin; it checks the proxy's options when the proxy
   * is created. Generic, so it fits `createProxyMiddleware` whatever request type the host declares.
   */
  plugin: <TReq extends IncomingMessage, TRes extends ServerResponse>(...args: Parameters<Plugin<TReq, TRes>>) => void;
  /** The connection pool the calls must go through: the proxy's `agent` option. */
  agent: UpstreamAgent;
}

/**
 * DashScope translation for any http-proxy-middleware instance, in the library's own shapes. A host adds
 * them to its own `createProxyMiddleware({ target: <DashScope base URL>, selfHandleResponse: true,
 * agent: handlers.agent, ... })` (handlers made with `{ baseUrl: <the same URL> }`) behind `extractApiKey()`, `jsonBody()` and `rewriteRequest()`. The handlers:
 * - send the prepared call: its path below the target's, its body, the caller's key, the request id,
 *   and only the headers in FORWARDED_REQUEST_HEADERS (a host's cookies and internal headers never leave);
 * - answer DashScope's errors (non-200 replies, `event:error`) OpenAI-shaped, never leaving a client hanging;
 * - translate 200 replies, streams event by event;
 * - bound every wait (first byte, silence, stream length, a client that stops reading, shutdown) and
 *   every buffer (JSON, stream, error body; the shared memory budget);
 * - classify failures: unreachable 502, timeout 504, busy 503, broken answer 502; wiring mistakes 500.
 */
export function createDashScopeProxyHandlers({
  baseUrl,
  pool,
  agent = createUpstreamAgent({ ...pool, ...(baseUrl === undefined ? {} : { baseUrl }) }),
  timeoutMs = 300_000,
  idleTimeoutMs = 180_000,
  maxStreamDurationMs = 1_800_000,
  heartbeatIntervalMs = 15_000,
  sendTimeoutMs = 60_000,
  maxUpstreamJsonBytes = 64 * 1024 * 1024,
  maxUpstreamStreamBytes = 256 * 1024 * 1024,
  maxUpstreamErrorBytes = 1024 * 1024,
  streamLimits,
  batchConcurrency = 4,
  memoryBudget,
  shutdownSignal,
  logger = createLogger(),
}: DashScopeProxyHandlersOptions = {}): DashScopeProxyHandlers {
  const positive = {
    batchConcurrency,
    timeoutMs,
    idleTimeoutMs,
    maxStreamDurationMs,
    sendTimeoutMs,
    maxUpstreamJsonBytes,
    maxUpstreamStreamBytes,
    maxUpstreamErrorBytes,
  };
  for (const [name, value] of Object.entries(positive)) {
    if (!Number.isInteger(value) || value <= 0) throw new TypeError(`createDashScopeProxyHandlers: ${name} must be a positive integer`);
  }
  if (!Number.isInteger(heartbeatIntervalMs) || heartbeatIntervalMs < 0)
    throw new TypeError('createDashScopeProxyHandlers: heartbeatIntervalMs must be a whole number of milliseconds (0 = off)');
  if (!isUpstreamAgent(agent)) throw new TypeError('createDashScopeProxyHandlers: agent must come from createUpstreamAgent()');
  if (memoryBudget !== undefined && typeof memoryBudget.tryReserve !== 'function')
    throw new TypeError('createDashScopeProxyHandlers: memoryBudget must come from createMemoryBudget()');
  if (shutdownSignal !== undefined && !(shutdownSignal instanceof AbortSignal))
    throw new TypeError('createDashScopeProxyHandlers: shutdownSignal must be an AbortSignal');
  const sseLimits: SseRewriteLimits = {
    idleTimeoutMs,
    maxDurationMs: maxStreamDurationMs,
    heartbeatIntervalMs,
    sendTimeoutMs,
    maxStreamBytes: maxUpstreamStreamBytes,
    streamLimits,
  };

  function proxyReq(proxyRequest: ClientRequest, req: Request, res: Response, options: ProxyOptionsSeen): void {
    const state = gatewayState(res);
    // The client left while earlier middlewares ran: nothing may leave for it, nor hold an upstream socket.
    if (res.destroyed || req.socket.destroyed) {
      proxyRequest.destroy();
      return;
    }
    // A redirect is sent as a second request through this hook: the key and body must not follow it.
    if (state.upstreamSent === true) {
      proxyRequest.destroy(gatewayMisconfigured('DashScope answered a redirect; create the proxy without followRedirects.'));
      return;
    }
    const problem =
      options?.selfHandleResponse !== true
        ? 'the proxy must be created with selfHandleResponse: true, or DashScope’s reply reaches the client untranslated.'
        : state.call === undefined
          ? 'no DashScope call was prepared for this request: mount rewriteRequest() (or rewriteChatRequest()) before the proxy.'
          : state.apiKey === undefined
            ? 'no API key was taken for this request: mount extractApiKey() before the proxy.'
            : (proxyRequest as ClientRequest & { agent?: unknown }).agent !== agent
              ? 'the proxy must send through the handlers’ connection pool: create it with `agent: handlers.agent`.'
              : undefined;
    if (problem !== undefined) {
      proxyRequest.destroy(gatewayMisconfigured(problem));
      return;
    }
    if (shutdownSignal?.aborted === true) {
      proxyRequest.destroy(serverShuttingDown());
      return;
    }
    const call = state.call!;
    const target = toUrl(options.target);
    for (const name of proxyRequest.getHeaderNames()) {
      if (!FORWARDED_REQUEST_HEADERS.has(name)) proxyRequest.removeHeader(name);
    }
    const body = JSON.stringify(call.body);
    // The path comes from the prepared call, below the target's own path (a base URL may have a prefix).
    proxyRequest.path = `${target?.pathname.replace(/\/+$/, '') ?? ''}${call.path}`;
    if (target !== undefined) proxyRequest.setHeader('host', target.host);
    proxyRequest.setHeader('authorization', `Bearer ${state.apiKey}`);
    proxyRequest.setHeader('content-type', 'application/json');
    proxyRequest.setHeader('content-length', Buffer.byteLength(body));
    proxyRequest.setHeader('accept-encoding', 'identity');
    proxyRequest.setHeader('accept', call.kind === 'sse' ? 'text/event-stream' : 'application/json');
    if (state.requestId !== undefined) proxyRequest.setHeader('x-request-id', state.requestId);
    if (call.kind === 'sse') proxyRequest.setHeader('x-dashscope-sse', 'enable');
    else proxyRequest.removeHeader('x-dashscope-sse');
    // The gateway's own timers bound the call; an idle-socket timeout inherited from the pool must not.
    proxyRequest.setTimeout(0);
    const firstByteTimer = setTimeout(() => {
      state.upstreamTimedOut = true;
      proxyRequest.destroy(upstreamTimeout());
    }, timeoutMs);
    let upstreamResponse: IncomingMessage | undefined;
    const onShutdown = () => {
      // A stream's own handler ends it with an error event; anything else ends here.
      if (upstreamResponse !== undefined && state.call?.kind === 'sse') return;
      proxyRequest.destroy(serverShuttingDown());
      upstreamResponse?.destroy(serverShuttingDown());
    };
    shutdownSignal?.addEventListener('abort', onShutdown, { once: true });
    proxyRequest.once('response', (response: IncomingMessage) => {
      upstreamResponse = response;
      clearTimeout(firstByteTimer);
    });
    proxyRequest.once('close', () => {
      clearTimeout(firstByteTimer);
      // Closed with neither an answer nor an error (Node drops a 101 Switching Protocols so): the client
      // must still get one.
      if (upstreamResponse === undefined && !res.headersSent && !res.destroyed) {
        const failure = badUpstreamResponse('the connection closed without an answer.');
        logger.error('Upstream request failed', failureFields(res, failure, failure));
        sendOpenAIError(res, failure);
      }
    });
    res.once('close', () => shutdownSignal?.removeEventListener('abort', onShutdown));
    state.upstreamSent = true;
    proxyRequest.write(body);
    if (call.kind === 'batch' && target !== undefined) {
      const batch = startBatch(call.bodies.slice(1), new URL(proxyRequest.path, target), proxyRequest, res);
      batches.set(res, batch);
    }
  }

  /** Batch parts beyond the proxied one, keyed by their response: a host's proxy shares no state with us. */
  const batches = new WeakMap<Response, BatchParts>();

  function startBatch(bodies: readonly unknown[], url: URL, proxyRequest: ClientRequest, res: Response): BatchParts {
    const headers: Record<string, string> = {};
    for (const name of proxyRequest.getHeaderNames()) {
      if (name === 'content-length' || name === 'host') continue;
      const value = proxyRequest.getHeader(name);
      if (typeof value === 'string') headers[name] = value;
      else if (typeof value === 'number') headers[name] = String(value);
    }
    // Every part's answer is held until the client has the merged one: one reservation for them all.
    const reservation = createBudgetReservation(memoryBudget);
    let received = 0;
    const batch = sendBatchParts({
      url,
      bodies,
      headers,
      agent,
      concurrency: Math.max(1, batchConcurrency - 1),
      timeoutMs,
      idleTimeoutMs,
      maxBytes: maxUpstreamJsonBytes,
      maxErrorBytes: maxUpstreamErrorBytes,
      reserve: (bytes) => {
        received += bytes * JSON_ANSWER_MEMORY_FACTOR;
        if (!reservation.resizeTo(received)) throw serverBusy('the memory for buffered answers is in use.');
      },
      // As long as one JSON call may take: the first byte, then the body.
      deadlineMs: timeoutMs + idleTimeoutMs,
      // The proxied part is not in the batch: a failed part stops it too, so its error answers at once.
      onPartFailure: (error) => {
        proxyRequest.destroy(error);
        (proxyRequest as ClientRequest & { res?: IncomingMessage }).res?.destroy(error);
      },
    });
    const onShutdown = () => batch.abort(serverShuttingDown());
    shutdownSignal?.addEventListener('abort', onShutdown, { once: true });
    res.once('close', () => {
      shutdownSignal?.removeEventListener('abort', onShutdown);
      batch.abort(upstreamConnectionLost(new Error('the client left')));
      reservation.release();
    });
    return batch;
  }

  async function proxyRes(upstreamResponse: IncomingMessage, _req: Request, res: Response): Promise<void> {
    const state = gatewayState(res);
    state.upstreamResponded = true;
    const release = holdResponseOpen(res);
    try {
      await respond(upstreamResponse, res);
      // A stream that failed after its 200 went out as an error event; the operator hears of it here.
      const failed = state.error;
      if (isGatewayError(failed) && failed.status >= 500 && failed.code !== 'server_shutting_down')
        logger.error('Upstream stream failed', failureFields(res, failed, failed));
    } catch (error) {
      const failure = isGatewayError(error)
        ? error
        : state.upstreamTimedOut === true
          ? upstreamTimeout(error)
          : upstreamConnectionLost(error);
      // A client that left is no upstream failure worth an error line.
      if (failure.status >= 500 && !res.destroyed) logger.error('Upstream response failed', failureFields(res, failure, error));
      sendOpenAIError(res, failure);
    } finally {
      release();
    }
  }

  async function respond(upstreamResponse: IncomingMessage, res: Response): Promise<void> {
    const state = gatewayState(res);
    const call = state.call!;
    const status = upstreamResponse.statusCode ?? 502;
    const contentType = upstreamResponse.headers['content-type'];
    noteUpstreamRequestId(res, header(upstreamResponse, 'x-request-id'));
    if (state.upstreamRequestId !== undefined && !res.headersSent) res.setHeader('x-dashscope-request-id', state.upstreamRequestId);
    const streamed = call.kind === 'sse' && status === 200 && contentType?.includes('text/event-stream') === true;
    if (!streamed) boundBodyRead(upstreamResponse, res);
    // An error body is read in part when it is large: its start is what names the error.
    const readErrorText = () => readBodyText(decodeUpstreamBody(upstreamResponse), { limit: maxUpstreamErrorBytes });
    if (status !== 200) {
      batches.get(res)?.abort(badUpstreamResponse('another part of the batch failed.'));
      const failure = parseDashScopeErrorResponse({
        status,
        contentType,
        text: await readErrorText(),
        retryAfter: header(upstreamResponse, 'retry-after'),
      });
      noteUpstreamRequestId(res, failure.upstreamRequestId);
      throw failure;
    }
    if (call.kind === 'sse') {
      // A stream was asked for but DashScope answered JSON: only an error body makes sense here.
      if (contentType?.includes('text/event-stream') !== true) {
        const failure = parseDashScopeErrorResponse({ status: 502, contentType, text: await readErrorText() });
        throw failure.code === null ? badUpstreamResponse('a stream was asked for, and the answer is not an event stream.') : failure;
      }
      await rewriteSseResponse({ upstreamResponse, res, call, limits: sseLimits, signal: shutdownSignal, budget: memoryBudget });
      return;
    }
    // Held until the client has the answer: until then it sits in the socket's buffers.
    const reservation = createBudgetReservation(memoryBudget);
    res.once('close', () => reservation.release());
    let received = 0;
    const reserve = (bytes: number) => {
      received += bytes * JSON_ANSWER_MEMORY_FACTOR;
      if (!reservation.resizeTo(received)) throw serverBusy('the memory for buffered answers is in use.');
    };
    const batch = batches.get(res);
    const convert =
      call.kind === 'batch'
        ? async (first: unknown) => {
            if (batch === undefined && call.bodies.length > 1)
              throw gatewayMisconfigured('a batch call needs the proxy’s `target` (DashScope’s base URL) to send its other parts.');
            return call.convertResponses([first, ...(batch === undefined ? [] : await batch.answers)]);
          }
        : (json: unknown) => call.convertResponse(json);
    try {
      await rewriteJsonResponse({ upstreamResponse, res, convert, limits: { maxBytes: maxUpstreamJsonBytes, reserve, sendTimeoutMs } });
    } catch (error) {
      reservation.release();
      batch?.abort(isGatewayError(error) ? error : upstreamConnectionLost(error));
      throw error;
    }
  }

  /**
   * A JSON or error body is read whole: silence inside it (no comments there) is bounded by the
   * socket's idle timer, and a trickle that keeps resetting it by one total deadline.
   */
  function boundBodyRead(upstreamResponse: IncomingMessage, res: Response): void {
    const state = gatewayState(res);
    const fail = () => {
      state.upstreamTimedOut = true;
      upstreamResponse.destroy(upstreamTimeout());
    };
    upstreamResponse.setTimeout(idleTimeoutMs, fail);
    const deadline = setTimeout(fail, idleTimeoutMs);
    deadline.unref();
    upstreamResponse.once('close', () => clearTimeout(deadline));
  }

  function error(failure: Error, _req: IncomingMessage, res: ServerResponse | Socket): void {
    const response = res as Response;
    if (typeof response.status !== 'function') return;
    const state = gatewayState(response);
    // Once DashScope's answer started arriving, the response handlers own the response.
    if (state.upstreamResponded === true) return;
    const answer = isGatewayError(failure)
      ? failure
      : state.upstreamTimedOut === true
        ? upstreamTimeout(failure)
        : upstreamUnreachable(failure);
    // A client that left first is no upstream failure worth an error line.
    if (!response.destroyed)
      logger.error(
        answer.code === 'gateway_misconfigured' ? answer.message : 'Upstream request failed',
        failureFields(response, answer, failure),
      );
    sendOpenAIError(response, answer);
  }

  /** What an operator needs on an error line: which request, which key, what DashScope said, and why. */
  function failureFields(res: Response, failure: GatewayError, cause: unknown): LogFields {
    const state = gatewayState(res);
    return {
      request_id: state.requestId,
      ip: res.req?.ip ?? res.req?.socket.remoteAddress,
      key_hash: state.keyHash,
      status: failure.status,
      code: failure.code ?? undefined,
      dashscope_request_id: state.upstreamRequestId,
      cause: describeCause(cause === failure ? failure.cause : cause) ?? (cause === failure ? undefined : failure.message),
    };
  }

  const on = { proxyReq, proxyRes, error };
  const plugin = <TReq extends IncomingMessage, TRes extends ServerResponse>(...[proxyServer, options]: Parameters<Plugin<TReq, TRes>>) => {
    const seen = options as ProxyOptionsSeen & { agent?: unknown; followRedirects?: unknown };
    if (seen.selfHandleResponse !== true) {
      throw new TypeError('DashScope proxy plugin: create the proxy with selfHandleResponse: true, so the plugin can translate replies.');
    }
    if (seen.followRedirects) {
      throw new TypeError(
        'DashScope proxy plugin: followRedirects would send the caller’s key and body to wherever a redirect points; leave it off.',
      );
    }
    if (seen.agent !== agent) {
      throw new TypeError(
        'DashScope proxy plugin: create the proxy with `agent: handlers.agent`, so every call goes through one bounded pool of connections.',
      );
    }
    const target = toUrl(seen.target);
    if (target !== undefined && target.protocol !== (agent as { protocol?: string }).protocol) {
      throw new TypeError(
        `DashScope proxy plugin: the target is ${target.protocol} but the connection pool is for ${(agent as { protocol?: string }).protocol}; create the handlers with { baseUrl: <the proxy's target> }.`,
      );
    }
    if (seen.ejectPlugins !== true && seen.on?.error === undefined) {
      throw new TypeError(
        "DashScope proxy plugin: http-proxy-middleware's default error-response plugin would answer failures in plain text; set ejectPlugins: true (and list the default plugins you want back), or use the handlers' `on` instead.",
      );
    }
    // Our proxyReq writes the body, which sends the headers: a host hook after it could no longer set
    // one (Node throws ERR_HTTP_HEADERS_SENT), so the host's `on` handlers must be registered first.
    const plugins: readonly unknown[] = (options as { plugins?: readonly unknown[] }).plugins ?? [];
    if (seen.ejectPlugins === true && seen.on !== undefined && !plugins.slice(0, plugins.indexOf(plugin)).includes(proxyEventsPlugin)) {
      throw new TypeError(
        'DashScope proxy plugin: with ejectPlugins: true your `on` handlers only run if proxyEventsPlugin is listed, before this plugin.',
      );
    }
    for (const [event, handler] of Object.entries(on)) proxyServer.on(event as keyof typeof on, handler as never);
  };
  return { on, plugin, agent };
}

/** The root cause in a few words: an errno code (ECONNRESET, ENOTFOUND…) or a message. */
function describeCause(cause: unknown): string | undefined {
  if (cause === undefined || cause === null) return undefined;
  if (typeof cause !== 'object') return String(cause);
  const { code, message } = cause as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && !isGatewayError(cause)) return typeof message === 'string' ? `${code}: ${message}` : code;
  return typeof message === 'string' ? message : undefined;
}

function toUrl(target: unknown): URL | undefined {
  if (target instanceof URL) return target;
  if (typeof target === 'string' && URL.canParse(target)) return new URL(target);
  return undefined;
}

function header(response: IncomingMessage, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
