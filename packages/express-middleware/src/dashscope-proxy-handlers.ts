import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Request, Response } from 'express';
import { proxyEventsPlugin, type Plugin } from 'http-proxy-middleware';
import {
  badUpstreamResponse,
  isGatewayError,
  parseDashScopeErrorResponse,
  upstreamConnectionLost,
  upstreamTimeout,
  upstreamUnreachable,
} from '@gw/core';
import { decodeUpstreamBody, readBodyText } from './decode-upstream-body.js';
import { FORWARDED_REQUEST_HEADERS } from './forwarded-request-headers.js';
import { gatewayMisconfigured, gatewayState } from './gateway-state.js';
import { holdResponseOpen } from './hold-response-open.js';
import { createLogger, type Logger } from './logger.js';
import { rewriteJsonResponse } from './rewrite-json-response.js';
import { rewriteSseResponse } from './rewrite-sse-response.js';
import { sendOpenAIError } from './send-openai-error.js';

export interface DashScopeProxyHandlersOptions {
  /** Longest wait for DashScope's answer, and longest silence inside a stream, in milliseconds. */
  timeoutMs?: number;
  /** Largest DashScope JSON body read, in bytes. */
  maxUpstreamJsonBytes?: number;
  /** Largest DashScope error body read, in bytes. */
  maxUpstreamErrorBytes?: number;
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
}

/**
 * DashScope translation for any http-proxy-middleware instance, in the library's own shapes. A host adds
 * them to its own `createProxyMiddleware({ target: <DashScope base URL>, selfHandleResponse: true, ... })`
 * behind `extractApiKey()`, `jsonBody()` and `rewriteRequest()`. The handlers:
 * - send the prepared call: its path below the target's, its body, the caller's key, and only the
 *   headers in FORWARDED_REQUEST_HEADERS (a host's cookies and internal headers never leave);
 * - answer DashScope's errors (non-200 replies, `event:error`) OpenAI-shaped, never leaving a client hanging;
 * - translate 200 replies, streams event by event;
 * - classify failures: unreachable 502, timeout 504, broken answer 502; wiring mistakes 500.
 */
export function createDashScopeProxyHandlers({
  timeoutMs = 300_000,
  maxUpstreamJsonBytes = 64 * 1024 * 1024,
  maxUpstreamErrorBytes = 1024 * 1024,
  logger = createLogger(),
}: DashScopeProxyHandlersOptions = {}): DashScopeProxyHandlers {
  for (const [name, value] of Object.entries({ timeoutMs, maxUpstreamJsonBytes, maxUpstreamErrorBytes })) {
    if (!Number.isInteger(value) || value <= 0) throw new TypeError(`createDashScopeProxyHandlers: ${name} must be a positive integer`);
  }

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
            : undefined;
    if (problem !== undefined) {
      proxyRequest.destroy(gatewayMisconfigured(problem));
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
    if (call.kind === 'sse') proxyRequest.setHeader('x-dashscope-sse', 'enable');
    else proxyRequest.removeHeader('x-dashscope-sse');
    proxyRequest.setTimeout(timeoutMs, () => {
      state.upstreamTimedOut = true;
      proxyRequest.destroy(upstreamTimeout());
    });
    state.upstreamSent = true;
    proxyRequest.write(body);
  }

  async function proxyRes(upstreamResponse: IncomingMessage, _req: Request, res: Response): Promise<void> {
    const state = gatewayState(res);
    state.upstreamResponded = true;
    const release = holdResponseOpen(res);
    try {
      await respond(upstreamResponse, res);
    } catch (error) {
      const failure = isGatewayError(error)
        ? error
        : state.upstreamTimedOut === true
          ? upstreamTimeout(error)
          : upstreamConnectionLost(error);
      // A client that left is no upstream failure worth an error line.
      if (failure.status >= 500 && !res.destroyed)
        logger.error('Upstream response failed', { status: failure.status, code: failure.code ?? undefined });
      sendOpenAIError(res, failure);
    } finally {
      release();
    }
  }

  async function respond(upstreamResponse: IncomingMessage, res: Response): Promise<void> {
    const call = gatewayState(res).call!;
    const status = upstreamResponse.statusCode ?? 502;
    const contentType = upstreamResponse.headers['content-type'];
    const readErrorText = () => readBodyText(decodeUpstreamBody(upstreamResponse), maxUpstreamErrorBytes);
    if (status !== 200) {
      throw parseDashScopeErrorResponse({
        status,
        contentType,
        text: await readErrorText(),
        retryAfter: header(upstreamResponse, 'retry-after'),
      });
    }
    if (call.kind === 'sse') {
      // A stream was asked for but DashScope answered JSON: only an error body makes sense here.
      if (contentType?.includes('text/event-stream') !== true) {
        const failure = parseDashScopeErrorResponse({ status: 502, contentType, text: await readErrorText() });
        throw failure.code === null ? badUpstreamResponse('a stream was asked for, and the answer is not an event stream.') : failure;
      }
      await rewriteSseResponse({ upstreamResponse, res, call });
      return;
    }
    await rewriteJsonResponse({ upstreamResponse, res, call, limit: maxUpstreamJsonBytes });
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
    logger.error(answer.code === 'gateway_misconfigured' ? answer.message : 'Upstream request failed', {
      status: answer.status,
      code: answer.code ?? undefined,
      error: (failure as NodeJS.ErrnoException).code ?? failure.message,
    });
    sendOpenAIError(response, answer);
  }

  const on = { proxyReq, proxyRes, error };
  const plugin = <TReq extends IncomingMessage, TRes extends ServerResponse>(...[proxyServer, options]: Parameters<Plugin<TReq, TRes>>) => {
    const seen = options as ProxyOptionsSeen;
    if (seen.selfHandleResponse !== true) {
      throw new TypeError('DashScope proxy plugin: create the proxy with selfHandleResponse: true, so the plugin can translate replies.');
    }
    if ((options as { followRedirects?: unknown }).followRedirects) {
      throw new TypeError(
        'DashScope proxy plugin: followRedirects would send the caller’s key and body to wherever a redirect points; leave it off.',
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
  return { on, plugin };
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
