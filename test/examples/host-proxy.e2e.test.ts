import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import express, { type Request, type Response } from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';
import request from 'supertest';
import { startFakeDashScope, type FakeDashScope } from '@gw/fake-dashscope';
import {
  createDashScopeProxyHandlers,
  createLogger,
  extractApiKey,
  jsonBody,
  openAIErrorHandler,
  rewriteChatRequest,
} from '@gw/express-middleware';
import { assertOpenAIShape, parseOpenAISse } from '@gw/testkit';
import { createHostApp } from '../../examples/host-proxy/create-host-app.js';
import { listen, type Listening } from './listen.js';

const key = 'sk-host-proxy-key';
const chat = { model: 'qwen-max', messages: [{ role: 'user', content: 'through the host proxy' }] };
const silent = createLogger({ level: 'silent' });

interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

let fake: FakeDashScope;
let host: Listening;

/** A browser-ish client of the host: its session cookie, its tracing headers, and the DashScope key. */
function postChat(url: string, body: unknown) {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      cookie: 'tenant=acme; session=host-session-secret',
      'x-request-id': 'client-trace-1',
      'x-forwarded-for': '10.1.2.3',
      'user-agent': 'host-client/1.0',
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
}

beforeAll(async () => {
  fake = await startFakeDashScope();
  host = await listen(createHostApp({ dashscopeBaseUrl: fake.url, logger: silent }));
});
afterAll(async () => {
  await host.close();
  await fake.close();
});
beforeEach(() => fake.reset());

describe("recipe 3: DashScope translation in the host's own http-proxy-middleware", () => {
  it('answers a chat completion', async () => {
    const response = await postChat(host.url, chat);
    expect(response.status).toBe(200);
    const body = await response.json();
    assertOpenAIShape('CreateChatCompletionResponse', body);
    expect(fake.requests[0]?.path).toBe('/api/v1/services/aigc/text-generation/generation');
    expect(fake.requests[0]?.body).toEqual({
      model: 'qwen-max',
      input: { messages: [{ role: 'user', content: 'through the host proxy' }] },
      parameters: { result_format: 'message' },
    });
  });

  it('streams a chat completion that ends with [DONE]', async () => {
    const response = await postChat(host.url, { ...chat, stream: true });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const parsed = parseOpenAISse(await response.text());
    expect(parsed.done).toBe(true);
    expect(parsed.events.length).toBeGreaterThan(1);
    for (const event of parsed.events) assertOpenAIShape('CreateChatCompletionStreamResponse', event);
    expect(fake.requests[0]?.headers['x-dashscope-sse']).toBe('enable');
  });

  it("sends DashScope the caller's key and none of the host's cookies, internal or client headers", async () => {
    await postChat(host.url, chat);
    await postChat(host.url, { ...chat, stream: true }).then((response) => response.text());
    expect(fake.requests).toHaveLength(2);
    for (const { headers } of fake.requests) {
      expect(headers.authorization).toBe(`Bearer ${key}`);
      expect(headers.host).toBe(new URL(fake.url).host);
      expect(headers).not.toHaveProperty('cookie');
      expect(headers).not.toHaveProperty('x-internal-tenant');
      expect(headers).not.toHaveProperty('x-request-id');
      expect(headers).not.toHaveProperty('x-forwarded-for');
      expect(headers).not.toHaveProperty('user-agent');
      expect(Object.keys(headers).sort()).toEqual(
        expect.arrayContaining(['accept', 'accept-encoding', 'authorization', 'content-length', 'content-type', 'host']),
      );
      expect(JSON.stringify(headers)).not.toMatch(/acme|host-session-secret|client-trace-1|10\.1\.2\.3/);
    }
  });

  it('answers DashScope’s 401 before the stream as a JSON 401 invalid_api_key, at once', async () => {
    fake.enqueue({ type: 'error', status: 401, code: 'InvalidApiKey', message: 'Invalid API-key provided.' });
    const started = performance.now();
    const response = await postChat(host.url, { ...chat, stream: true });
    const body = (await response.json()) as ErrorBody;
    expect(performance.now() - started).toBeLessThan(2000);
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    assertOpenAIShape('ErrorResponse', body);
    expect(body.error).toMatchObject({ type: 'authentication_error', code: 'invalid_api_key', message: 'Invalid API-key provided.' });
  });

  it('ends a stream that fails midway with an error event and no [DONE]', async () => {
    fake.enqueue({ type: 'fail-after', events: 2, status: 500, code: 'InternalError', message: 'x' });
    const response = await postChat(host.url, { ...chat, stream: true });
    expect(response.status).toBe(200);
    const parsed = parseOpenAISse(await response.text());
    expect(parsed.done).toBe(false);
    const last = parsed.events.at(-1) as { error?: { type?: string; message?: string } };
    expect(last.error).toMatchObject({ type: 'server_error', message: 'x' });
    for (const event of parsed.events.slice(0, -1)) assertOpenAIShape('CreateChatCompletionStreamResponse', event);
  });

  it('refuses a request without a key before anything leaves', async () => {
    const response = await fetch(`${host.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(chat),
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as ErrorBody).error.code).toBe('missing_authorization');
    expect(fake.requests).toHaveLength(0);
  });

  it('answers an unreachable DashScope with a 502', async () => {
    const unreachable = await listen(createHostApp({ dashscopeBaseUrl: 'http://127.0.0.1:9', logger: silent }));
    try {
      const response = await postChat(unreachable.url, { ...chat, stream: true });
      expect(response.status).toBe(502);
      const body = (await response.json()) as ErrorBody;
      assertOpenAIShape('ErrorResponse', body);
      expect(body.error.code).toBe('upstream_unreachable');
    } finally {
      await unreachable.close();
    }
  });
});

describe("the same handlers in the proxy's `on`, composed with the host's own hook", () => {
  let onForm: Listening;
  beforeAll(async () => {
    const handlers = createDashScopeProxyHandlers({ baseUrl: fake.url, logger: silent });
    const proxy = createProxyMiddleware<Request, Response>({
      target: fake.url,
      agent: handlers.agent,
      changeOrigin: true,
      selfHandleResponse: true,
      on: {
        ...handlers.on,
        proxyReq(proxyRequest, req, res, options) {
          proxyRequest.setHeader('x-internal-tenant', 'acme');
          // Last: it writes the body, after which no header can be set.
          handlers.on.proxyReq(proxyRequest, req, res, options);
        },
      },
    });
    const app = express();
    app.post('/v1/chat/completions', extractApiKey(), jsonBody(), rewriteChatRequest({ logger: silent }), proxy);
    app.use(openAIErrorHandler({ logger: silent }));
    onForm = await listen(app);
  });
  afterAll(() => onForm.close());

  it('streams, and strips the host header it set along with the client’s', async () => {
    const parsed = parseOpenAISse(await (await postChat(onForm.url, { ...chat, stream: true })).text());
    expect(parsed.done).toBe(true);
    expect(fake.requests[0]?.headers.authorization).toBe(`Bearer ${key}`);
    expect(fake.requests[0]?.headers).not.toHaveProperty('x-internal-tenant');
    expect(fake.requests[0]?.headers).not.toHaveProperty('cookie');
  });

  it('answers DashScope’s 401 before the stream as JSON', async () => {
    fake.enqueue({ type: 'error', status: 401, code: 'InvalidApiKey', message: 'Invalid API-key provided.' });
    const response = await postChat(onForm.url, { ...chat, stream: true });
    expect(response.status).toBe(401);
    expect(((await response.json()) as ErrorBody).error.code).toBe('invalid_api_key');
  });
});

describe('wiring mistakes in a host proxy', () => {
  function hostApp({ selfHandleResponse = true, rewrite = true }: { selfHandleResponse?: boolean; rewrite?: boolean }) {
    const handlers = createDashScopeProxyHandlers({ baseUrl: fake.url, logger: silent });
    const proxy = createProxyMiddleware<Request, Response>({
      target: fake.url,
      agent: handlers.agent,
      changeOrigin: true,
      selfHandleResponse,
      on: handlers.on,
    });
    const app = express();
    const prepare = rewrite ? [jsonBody(), rewriteChatRequest({ logger: silent })] : [jsonBody()];
    app.post('/v1/chat/completions', extractApiKey(), ...prepare, proxy);
    app.use(openAIErrorHandler({ logger: silent }));
    return app;
  }

  it.each([
    ['without rewriteChatRequest()', { rewrite: false }, 'rewriteChatRequest'],
    ['without selfHandleResponse', { selfHandleResponse: false }, 'selfHandleResponse'],
  ])('answers a proxy %s with a 500 gateway_misconfigured naming the fix, and sends nothing', async (_name, options, fix) => {
    const response = await request(hostApp(options)).post('/v1/chat/completions').set('authorization', `Bearer ${key}`).send(chat);
    expect(response.status).toBe(500);
    assertOpenAIShape('ErrorResponse', response.body);
    expect(response.body.error).toMatchObject({ type: 'server_error', code: 'gateway_misconfigured' });
    expect(response.body.error.message).toContain(fix);
    expect(fake.requests).toHaveLength(0);
  });

  it("refuses the plugin form at construction when the library's plain-text error plugin would answer", () => {
    const handlers = createDashScopeProxyHandlers({ baseUrl: fake.url, logger: silent });
    expect(() =>
      createProxyMiddleware<Request, Response>({
        target: fake.url,
        agent: handlers.agent,
        selfHandleResponse: true,
        plugins: [handlers.plugin],
      }),
    ).toThrow(/ejectPlugins: true/);
  });
});
