// Recipe 3 of README.md's "Inside your own Express gateway": the region below is copied there word for word
// (test/examples/readme-recipes.test.ts checks it).
// #region recipe
import type { ClientRequest, IncomingMessage } from 'node:http';
import express from 'express';
import { createProxyMiddleware, proxyEventsPlugin } from 'http-proxy-middleware';
import {
  createDashScopeProxyHandlers,
  createLogger,
  extractApiKey,
  jsonBody,
  openAIErrorHandler,
  openAINotFound,
  rewriteChatRequest,
  type Logger,
} from '@gw/express-middleware';

export interface HostProxyHostOptions {
  dashscopeBaseUrl: string;
  logger?: Logger;
  /** Longest wait for DashScope's answer to start. */
  upstreamTimeoutMs?: number;
}

/**
 * A company's existing gateway, whose http-proxy-middleware instances all tag requests with the caller's
 * tenant for its internal services. Its DashScope proxy keeps that habit; the DashScope plugin turns it
 * into an OpenAI chat completions endpoint, and only what DashScope needs leaves the company.
 */
export function createHostApp({ dashscopeBaseUrl, logger = createLogger(), upstreamTimeoutMs = 300_000 }: HostProxyHostOptions) {
  const handlers = createDashScopeProxyHandlers({ baseUrl: dashscopeBaseUrl, logger, timeoutMs: upstreamTimeoutMs });
  const dashscope = createProxyMiddleware({
    target: dashscopeBaseUrl,
    // Every call goes through the handlers' bounded connection pool (no header can open another socket).
    agent: handlers.agent,
    changeOrigin: true,
    selfHandleResponse: true,
    on: { proxyReq: tagTenant },
    // The library's default plugins answer failures in plain text: eject them, take `on` back with
    // proxyEventsPlugin, and add DashScope's last (it sends the body, and removes every header DashScope
    // does not need: the tenant and the client's cookies too).
    ejectPlugins: true,
    plugins: [proxyEventsPlugin, handlers.plugin],
  });

  const app = express();
  app.post('/v1/chat/completions', extractApiKey(), jsonBody({ limit: '1mb' }), rewriteChatRequest({ logger }), dashscope);
  app.use('/v1', openAINotFound(), openAIErrorHandler({ logger }));
  return app;
}

/** The host's own proxy hook, on all its proxies: internal services read the tenant from this header. */
function tagTenant(proxyRequest: ClientRequest, req: IncomingMessage): void {
  const tenant = /(?:^|;\s*)tenant=([^;]*)/.exec(req.headers.cookie ?? '')?.[1] ?? 'public';
  proxyRequest.setHeader('x-internal-tenant', tenant);
}
// #endregion recipe
