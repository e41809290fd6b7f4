import type { NextFunction, Request, Response } from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';
import { gatewayMisconfigured, gatewayState } from './gateway-state.js';
import { createDashScopeProxyHandlers, type DashScopeProxyHandlersOptions } from './dashscope-proxy-handlers.js';

export interface DashScopeProxyOptions extends DashScopeProxyHandlersOptions {
  /** DashScope's base URL, e.g. https://dashscope.aliyuncs.com; a path prefix is kept. */
  baseUrl: string;
}

/**
 * The DashScope upstream as one middleware: http-proxy-middleware with the DashScope handlers and
 * nothing else (its default plugins log to the console and answer errors in plain text).
 */
export function createDashScopeProxy({ baseUrl, ...handlerOptions }: DashScopeProxyOptions) {
  const target = parseBaseUrl(baseUrl);
  const { plugin, agent } = createDashScopeProxyHandlers({ ...handlerOptions, baseUrl: target.toString() });
  const proxy = createProxyMiddleware<Request, Response>({
    target: target.toString(),
    agent,
    changeOrigin: true,
    selfHandleResponse: true,
    ejectPlugins: true,
    plugins: [plugin],
  });
  return async function dashScopeProxyMiddleware(req: Request, res: Response, next: NextFunction): Promise<void> {
    // Checked before the proxy runs: without a prepared call nothing may leave, not even untranslated.
    if (gatewayState(res).call === undefined) {
      throw gatewayMisconfigured(
        'no DashScope call was prepared for this request: mount rewriteRequest() (or rewriteChatRequest()) before the proxy.',
      );
    }
    delete req.headers.expect;
    // The client left while earlier middlewares ran (an async auth, say): no call for nobody.
    if (res.destroyed) return;
    return proxy(req, res, next);
  };
}

function parseBaseUrl(baseUrl: string): URL {
  if (typeof baseUrl !== 'string' || !URL.canParse(baseUrl))
    throw new TypeError(`createDashScopeProxy: baseUrl is not a URL: ${String(baseUrl)}`);
  const url = new URL(baseUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError('createDashScopeProxy: baseUrl must be http(s)');
  return url;
}
