import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { NextFunction, Request, Response } from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';
import { isGatewayError, parseDashScopeErrorResponse, upstreamConnectionLost, upstreamTimeout, upstreamUnreachable } from '@gw/core';
import { decodeUpstreamBody, readBodyText } from './decode-upstream-body.js';
import { holdResponseOpen } from './hold-response-open.js';
import { createLogger, type Logger } from './logger.js';
import { rewriteJsonResponse } from './rewrite-json-response.js';
import { rewriteSseResponse } from './rewrite-sse-response.js';
import { sendOpenAIError } from './send-openai-error.js';
import './express-locals.js';

export interface DashScopeProxyOptions {
  /** DashScope's base URL, e.g. https://dashscope.aliyuncs.com; a path prefix is kept. */
  baseUrl: string;
  /** Longest wait for DashScope's answer, and longest silence inside a stream, in milliseconds. */
  timeoutMs?: number;
  /** Largest DashScope JSON body read, in bytes. */
  maxUpstreamJsonBytes?: number;
  logger?: Logger;
}

/**
 * Request headers that reach DashScope. Everything else the client sent (cookies, forwarding headers,
 * SDK telemetry) stays here. X-DashScope-WorkSpace selects a sub-workspace, which sub-account keys need.
 */
const forwardedRequestHeaders = new Set([
  'host',
  'authorization',
  'content-type',
  'content-length',
  'accept',
  'accept-encoding',
  'x-dashscope-sse',
  'x-dashscope-workspace',
]);

const timedOutRequests = new WeakSet<IncomingMessage>();

/**
 * The DashScope upstream: http-proxy-middleware sends the exchange prepared by a request rewriter
 * (`res.locals.upstream`) with the caller's key, then hands DashScope's answer to the SSE or JSON rewriter.
 */
export function createDashScopeProxy({
  baseUrl,
  timeoutMs = 300_000,
  maxUpstreamJsonBytes = 64 * 1024 * 1024,
  logger = createLogger(),
}: DashScopeProxyOptions) {
  const target = parseBaseUrl(baseUrl);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new TypeError('createDashScopeProxy: timeoutMs must be a positive integer');

  const handlers = {
    proxyReq: (proxyRequest: ClientRequest, req: Request, res: Response) => {
      const exchange = res.locals.upstream;
      const apiKey = res.locals.apiKey;
      if (exchange === undefined || apiKey === undefined) {
        proxyRequest.destroy(new Error('createDashScopeProxy: no upstream exchange or key prepared for this request'));
        return;
      }
      for (const name of proxyRequest.getHeaderNames()) {
        if (!forwardedRequestHeaders.has(name)) proxyRequest.removeHeader(name);
      }
      const body = JSON.stringify(exchange.body);
      proxyRequest.setHeader('authorization', `Bearer ${apiKey}`);
      proxyRequest.setHeader('content-type', 'application/json');
      proxyRequest.setHeader('content-length', Buffer.byteLength(body));
      proxyRequest.setHeader('accept-encoding', 'identity');
      proxyRequest.setHeader('accept', exchange.stream ? 'text/event-stream' : 'application/json');
      if (exchange.stream) proxyRequest.setHeader('x-dashscope-sse', 'enable');
      else proxyRequest.removeHeader('x-dashscope-sse');
      proxyRequest.setTimeout(timeoutMs, () => {
        timedOutRequests.add(req);
        proxyRequest.destroy(upstreamTimeout());
      });
      proxyRequest.write(body);
    },
    proxyRes: async (upstreamResponse: IncomingMessage, req: Request, res: Response) => {
      res.locals.upstreamResponded = true;
      const release = holdResponseOpen(res);
      try {
        await respond(upstreamResponse, req, res);
      } catch (error) {
        const failure = isGatewayError(error) ? error : timedOutRequests.has(req) ? upstreamTimeout(error) : upstreamConnectionLost(error);
        if (failure.status >= 500) logger.error('Upstream response failed', { status: failure.status, code: failure.code ?? undefined });
        sendOpenAIError(res, failure);
      } finally {
        release();
      }
    },
    error: (error: Error, req: IncomingMessage, res: ServerResponse | Socket) => {
      const response = res as Response;
      // Once DashScope's answer started arriving, the response handlers own the response.
      if (typeof response.status !== 'function' || response.locals.upstreamResponded === true) return;
      const failure = isGatewayError(error) ? error : timedOutRequests.has(req) ? upstreamTimeout(error) : upstreamUnreachable(error);
      logger.error('Upstream request failed', {
        status: failure.status,
        code: failure.code ?? undefined,
        error: (error as NodeJS.ErrnoException).code ?? error.message,
      });
      sendOpenAIError(response, failure);
    },
  };

  const proxy = createProxyMiddleware<Request, Response>({
    target: target.toString(),
    changeOrigin: true,
    selfHandleResponse: true,
    pathRewrite: (_path, _req, res) => res?.locals.upstream?.path,
    // The default plugins log to the console (including a misleading "body already parsed" hint: the
    // body is re-sent in proxyReq) and answer errors in plain text; the gateway does both itself.
    ejectPlugins: true,
    plugins: [
      (proxyServer) => {
        for (const [event, handler] of Object.entries(handlers)) proxyServer.on(event as keyof typeof handlers, handler as never);
      },
    ],
  });

  async function respond(upstreamResponse: IncomingMessage, req: Request, res: Response): Promise<void> {
    const exchange = res.locals.upstream;
    if (exchange === undefined) throw new Error('no upstream exchange');
    const status = upstreamResponse.statusCode ?? 502;
    const contentType = upstreamResponse.headers['content-type'];
    if (status !== 200) {
      const text = await readBodyText(decodeUpstreamBody(upstreamResponse), 1024 * 1024);
      throw parseDashScopeErrorResponse({ status, contentType, text, retryAfter: header(upstreamResponse, 'retry-after') });
    }
    if (exchange.stream && contentType?.includes('text/event-stream') === true) {
      await rewriteSseResponse({ upstreamResponse, res, exchange, timedOut: () => timedOutRequests.has(req) });
      return;
    }
    if (exchange.stream) {
      // A stream was asked for but DashScope answered JSON: only an error body makes sense here.
      const text = await readBodyText(decodeUpstreamBody(upstreamResponse), 1024 * 1024);
      throw parseDashScopeErrorResponse({ status: 502, contentType, text });
    }
    await rewriteJsonResponse({ upstreamResponse, res, exchange, limit: maxUpstreamJsonBytes });
  }

  return function dashScopeProxyMiddleware(req: Request, res: Response, next: NextFunction): Promise<void> {
    // The body was read already. Forwarded, `Expect: 100-continue` would also make httpxy skip the
    // proxyReq event, so the request would leave without the caller's key and the translated body.
    delete req.headers.expect;
    return proxy(req, res, next);
  };
}

function header(response: IncomingMessage, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseBaseUrl(baseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new TypeError(`createDashScopeProxy: baseUrl is not a URL: ${baseUrl}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError('createDashScopeProxy: baseUrl must be http(s)');
  return url;
}
