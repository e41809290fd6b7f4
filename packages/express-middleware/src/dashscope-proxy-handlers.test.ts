import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import express, { type RequestHandler } from 'express';
import { createProxyMiddleware, debugProxyErrorsPlugin, proxyEventsPlugin } from 'http-proxy-middleware';
import request from 'supertest';
import { embeddingsEndpoint } from '@gw/core';
import { startFakeDashScope, type FakeDashScope } from '@gw/fake-dashscope';
import { assertOpenAIShape, parseOpenAISse } from '@gw/testkit';
import { createDashScopeProxy } from './create-dashscope-proxy.js';
import { createDashScopeProxyHandlers } from './dashscope-proxy-handlers.js';
import { extractApiKey } from './extract-api-key.js';
import { jsonBody } from './json-body.js';
import { createLogger } from './logger.js';
import { openAIErrorHandler } from './openai-error-handler.js';
import { rewriteChatRequest } from './rewrite-chat-request.js';
import { rewriteRequest } from './rewrite-request.js';

const logger = createLogger({ level: 'silent' });
const chat = { model: 'qwen-max', messages: [{ role: 'user', content: 'hi' }] };
let fake: FakeDashScope;

beforeAll(async () => {
  fake = await startFakeDashScope();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

/** A host app whose chat route is exactly the given chain, then the OpenAI error handler. */
function hostApp(...chain: RequestHandler[]) {
  const app = express();
  app.post('/v1/chat/completions', ...chain);
  app.use(openAIErrorHandler({ logger }));
  return app;
}

function expectMisconfigured(response: request.Response, names: string) {
  expect(response.status).toBe(500);
  assertOpenAIShape('ErrorResponse', response.body);
  expect(response.body.error).toMatchObject({ type: 'server_error', code: 'gateway_misconfigured' });
  expect(response.body.error.message).toContain(names);
}

describe('createDashScopeProxyHandlers in a host’s own http-proxy-middleware', () => {
  it('works in the `on` form with the default plugins kept', async () => {
    const handlers = createDashScopeProxyHandlers({ baseUrl: fake.url, logger });
    const proxy = createProxyMiddleware({
      target: fake.url,
      agent: handlers.agent,
      selfHandleResponse: true,
      on: handlers.on,
      logger: { info() {}, warn() {}, error() {} },
    });
    const app = hostApp(extractApiKey(), jsonBody(), rewriteChatRequest(), proxy);
    const response = await request(app).post('/v1/chat/completions').set('authorization', 'Bearer sk-host').send(chat);
    expect(response.status).toBe(200);
    assertOpenAIShape('CreateChatCompletionResponse', response.body);
    expect(fake.requests[0]?.path).toBe('/api/v1/services/aigc/text-generation/generation');
  });

  it('works as a plugin, with the default plugins ejected', async () => {
    const handlers = createDashScopeProxyHandlers({ baseUrl: fake.url, logger });
    const proxy = createProxyMiddleware({
      target: fake.url,
      agent: handlers.agent,
      selfHandleResponse: true,
      ejectPlugins: true,
      plugins: [debugProxyErrorsPlugin, handlers.plugin],
    });
    const app = hostApp(extractApiKey(), jsonBody(), rewriteChatRequest(), proxy);
    const response = await request(app)
      .post('/v1/chat/completions')
      .set('authorization', 'Bearer sk-host')
      .send({ ...chat, stream: true });
    expect(response.status).toBe(200);
    expect(parseOpenAISse(response.text).done).toBe(true);
  });

  it('answers a non-stream call that DashScope can only stream with one JSON body, in the host proxy too', async () => {
    const handlers = createDashScopeProxyHandlers({ baseUrl: fake.url, logger, heartbeatIntervalMs: 1 });
    const proxy = createProxyMiddleware({ target: fake.url, agent: handlers.agent, selfHandleResponse: true, on: handlers.on });
    const app = hostApp(extractApiKey(), jsonBody(), rewriteChatRequest(), proxy);
    const recorded = readFileSync(new URL('../../core/src/__fixtures__/single-generation-message-reasoning-sse.sse', import.meta.url));
    // Slow events: a heartbeat, were one sent, would commit the answer to a 200 before it is known.
    fake.enqueue({ type: 'raw', status: 200, headers: { 'content-type': 'text/event-stream;charset=UTF-8' }, body: recorded });
    const response = await request(app)
      .post('/v1/chat/completions')
      .set('authorization', 'Bearer sk-host')
      .send({ model: 'qwen-plus', messages: [{ role: 'user', content: '1+1?' }], enable_thinking: true });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    assertOpenAIShape('CreateChatCompletionResponse', response.body);
    expect(response.body.choices[0].message.reasoning_content).toMatch(/^嗯/);
    expect(fake.requests[0]?.headers['x-dashscope-sse']).toBe('enable');
  });

  it('sends the parts of a split embedding request through the host proxy’s target and pool', async () => {
    const handlers = createDashScopeProxyHandlers({ baseUrl: fake.url, logger, batchConcurrency: 2 });
    const proxy = createProxyMiddleware({ target: fake.url, agent: handlers.agent, selfHandleResponse: true, on: handlers.on });
    const app = express();
    app.post('/v1/embeddings', extractApiKey(), jsonBody(), rewriteRequest({ endpoint: embeddingsEndpoint }), proxy);
    app.use(openAIErrorHandler({ logger }));
    const input = Array.from({ length: 23 }, (_, index) => `text ${index}`);
    const response = await request(app)
      .post('/v1/embeddings')
      .set('authorization', 'Bearer sk-host')
      .send({ model: 'text-embedding-v3', input, encoding_format: 'float' });
    expect(response.status).toBe(200);
    assertOpenAIShape('CreateEmbeddingResponse', response.body);
    expect(response.body.data.map((item: { index: number }) => item.index)).toEqual(input.map((_, index) => index));
    expect(fake.requests).toHaveLength(3);
    expect(fake.requests.every((sent) => sent.headers.authorization === 'Bearer sk-host')).toBe(true);
  });

  it('refuses, at construction, a plugin use that would answer untranslated or in plain text', () => {
    const handlers = createDashScopeProxyHandlers({ baseUrl: fake.url, logger });
    const { plugin } = handlers;
    expect(() => createProxyMiddleware({ target: fake.url, agent: handlers.agent, plugins: [plugin], ejectPlugins: true })).toThrow(
      /selfHandleResponse: true/,
    );
    expect(() => createProxyMiddleware({ target: fake.url, agent: handlers.agent, selfHandleResponse: true, plugins: [plugin] })).toThrow(
      /ejectPlugins: true/,
    );
    // A redirect would carry the caller's key and body wherever it points.
    expect(() =>
      createProxyMiddleware({
        target: fake.url,
        agent: handlers.agent,
        selfHandleResponse: true,
        ejectPlugins: true,
        followRedirects: true,
        plugins: [plugin],
      }),
    ).toThrow(/followRedirects/);
    // The host's own `on` handlers would be dropped, or run after ours when the headers are gone.
    const on = { proxyReq: () => undefined };
    expect(() =>
      createProxyMiddleware({
        target: fake.url,
        agent: handlers.agent,
        selfHandleResponse: true,
        ejectPlugins: true,
        on,
        plugins: [plugin],
      }),
    ).toThrow(/proxyEventsPlugin/);
    expect(() =>
      createProxyMiddleware({
        target: fake.url,
        agent: handlers.agent,
        selfHandleResponse: true,
        ejectPlugins: true,
        on,
        plugins: [plugin, proxyEventsPlugin],
      }),
    ).toThrow(/proxyEventsPlugin/);
    expect(() =>
      createProxyMiddleware({
        target: fake.url,
        agent: handlers.agent,
        selfHandleResponse: true,
        ejectPlugins: true,
        on,
        plugins: [proxyEventsPlugin, plugin],
      }),
    ).not.toThrow();
  });

  it('refuses a proxy that does not send through the handlers’ pool: at construction as a plugin, with a 500 in the `on` form', async () => {
    const handlers = createDashScopeProxyHandlers({ baseUrl: fake.url, logger });
    expect(() =>
      createProxyMiddleware({ target: fake.url, selfHandleResponse: true, ejectPlugins: true, plugins: [handlers.plugin] }),
    ).toThrow(/agent: handlers\.agent/);
    const httpsHandlers = createDashScopeProxyHandlers({ logger });
    expect(() =>
      createProxyMiddleware({
        target: fake.url,
        agent: httpsHandlers.agent,
        selfHandleResponse: true,
        ejectPlugins: true,
        plugins: [httpsHandlers.plugin],
      }),
    ).toThrow(/baseUrl/);
    const quiet = { info() {}, warn() {}, error() {} };
    const proxy = createProxyMiddleware({ target: fake.url, selfHandleResponse: true, on: handlers.on, logger: quiet });
    const response = await request(hostApp(extractApiKey(), jsonBody(), rewriteChatRequest(), proxy))
      .post('/v1/chat/completions')
      .set('authorization', 'Bearer sk-host')
      .send(chat);
    expect(response.status).toBe(500);
    expect(response.body.error).toMatchObject({ code: 'gateway_misconfigured', message: expect.stringContaining('agent: handlers.agent') });
    expect(fake.requests).toHaveLength(0);
  });

  it.each([
    ['timeoutMs', 0],
    ['idleTimeoutMs', 0],
    ['heartbeatIntervalMs', -1],
    ['sendTimeoutMs', 1.5],
    ['maxUpstreamStreamBytes', 0],
    ['agent', {}],
    ['shutdownSignal', 'soon'],
    ['maxUpstreamJsonBytes', -1],
    ['maxUpstreamErrorBytes', 1.5],
  ])('throws at construction for %s = %p', (name, value) => {
    expect(() => createDashScopeProxyHandlers({ [name]: value })).toThrow(TypeError);
  });

  it.each([
    ['selfHandleResponse is missing', 'selfHandleResponse', false, ['key', 'body', 'rewrite']],
    ['the request rewrite is missing', 'rewriteRequest()', true, ['key', 'body']],
    ['no key was taken', 'extractApiKey()', true, ['body', 'rewrite']],
  ])('answers 500 gateway_misconfigured, and calls nobody, when %s', async (_case, names, selfHandleResponse, pieces) => {
    const handlers = createDashScopeProxyHandlers({ baseUrl: fake.url, logger });
    const quiet = { info() {}, warn() {}, error() {} };
    const proxy = createProxyMiddleware({ target: fake.url, agent: handlers.agent, selfHandleResponse, on: handlers.on, logger: quiet });
    const chain = [
      ...(pieces.includes('key') ? [extractApiKey()] : []),
      jsonBody(),
      ...(pieces.includes('rewrite') ? [rewriteChatRequest()] : []),
      proxy,
    ];
    const response = await request(hostApp(...chain))
      .post('/v1/chat/completions')
      .set('authorization', 'Bearer sk-host')
      .send(chat);
    expectMisconfigured(response, names);
    expect(fake.requests).toHaveLength(0);
  });
});

describe('wiring mistakes with the packaged pieces', () => {
  it('createDashScopeProxy without a request rewrite: 500 naming rewriteRequest, nothing sent upstream', async () => {
    const app = hostApp(extractApiKey(), jsonBody(), createDashScopeProxy({ baseUrl: fake.url, logger }));
    expectMisconfigured(
      await request(app).post('/v1/chat/completions').set('authorization', 'Bearer sk-host').send(chat),
      'rewriteRequest()',
    );
    expect(fake.requests).toHaveLength(0);
  });

  it('a request rewrite without a body parser: 500 naming jsonBody, not a 400 blamed on the client', async () => {
    const app = hostApp(extractApiKey(), rewriteChatRequest({ logger }), createDashScopeProxy({ baseUrl: fake.url, logger }));
    const response = await request(app).post('/v1/chat/completions').set('authorization', 'Bearer sk-host').send(chat);
    expectMisconfigured(response, 'jsonBody()');
  });

  it('a request with no body at all is still the client’s 400', async () => {
    const app = hostApp(extractApiKey(), rewriteChatRequest({ logger }), createDashScopeProxy({ baseUrl: fake.url, logger }));
    const response = await request(app).post('/v1/chat/completions').set('authorization', 'Bearer sk-host');
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_request_body');
  });

  it('createDashScopeProxy throws at construction for a bad base URL', () => {
    expect(() => createDashScopeProxy({ baseUrl: 'not a url' })).toThrow(TypeError);
    expect(() => createDashScopeProxy({ baseUrl: 'ftp://dashscope.example' })).toThrow(TypeError);
  });
});

describe('the host proxy keeps what the handlers promise', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    const handlers = createDashScopeProxyHandlers({ baseUrl: fake.url, logger, timeoutMs: 500 });
    const proxy = createProxyMiddleware({
      target: `${fake.url}/`,
      agent: handlers.agent,
      selfHandleResponse: true,
      changeOrigin: false,
      headers: { 'x-internal-tenant': 'acme' },
      on: handlers.on,
      logger: { info() {}, warn() {}, error() {} },
    });
    server = hostApp(extractApiKey(), jsonBody(), rewriteChatRequest(), proxy).listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends only allowed headers, DashScope’s host, and the caller’s key', async () => {
    await request(url)
      .post('/v1/chat/completions')
      .set('authorization', 'Bearer sk-caller')
      .set('cookie', 'session=secret')
      .set('x-forwarded-for', '10.0.0.1')
      .set('x-dashscope-workspace', 'ws-1')
      .send(chat)
      .expect(200);
    const headers = fake.requests[0]?.headers ?? {};
    expect(headers.authorization).toBe('Bearer sk-caller');
    expect(headers.host).toBe(new URL(fake.url).host);
    expect(headers['x-dashscope-workspace']).toBe('ws-1');
    // `connection` is the proxy agent's own hop-by-hop header, present or not.
    expect(
      Object.keys(headers)
        .filter((name) => name !== 'connection')
        .sort(),
    ).toEqual(['accept', 'accept-encoding', 'authorization', 'content-length', 'content-type', 'host', 'x-dashscope-workspace'].sort());
  });

  it('answers an upstream that never answers with a 504 within the timeout', async () => {
    fake.enqueue({ type: 'hang' });
    const started = Date.now();
    const response = await request(url).post('/v1/chat/completions').set('authorization', 'Bearer sk-caller').send(chat);
    expect(response.status).toBe(504);
    expect(response.body.error.code).toBe('upstream_timeout');
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('a misbehaving upstream, through the host proxy', () => {
  const finalEvent = (text: string) =>
    `id:1\nevent:result\n:HTTP_STATUS/200\ndata:${JSON.stringify({
      output: { choices: [{ message: { role: 'assistant', content: text }, finish_reason: 'stop' }] },
      usage: { input_tokens: 3, output_tokens: 1, total_tokens: 4 },
      request_id: 'req-1',
    })}\n\n`;
  /** What the upstream does with each request; `received` records the Authorization header it saw. */
  let behave: (req: IncomingMessage, res: ServerResponse) => void = () => undefined;
  const received: Array<string | undefined> = [];
  let upstream: Server;
  let upstreamUrl: string;
  beforeAll(async () => {
    upstream = createServer((req, res) => {
      received.push(req.headers.authorization);
      req.resume();
      behave(req, res);
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', () => resolve()));
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    upstream.closeAllConnections();
    return new Promise<void>((resolve) => upstream.close(() => resolve()));
  });
  beforeEach(() => void (received.length = 0));

  function appFor(target: string, extra: Record<string, unknown> = {}) {
    const handlers = createDashScopeProxyHandlers({ baseUrl: fake.url, logger, timeoutMs: 2_000 });
    const quiet = { info() {}, warn() {}, error() {} };
    return hostApp(
      extractApiKey(),
      jsonBody(),
      rewriteChatRequest(),
      createProxyMiddleware({ target, agent: handlers.agent, selfHandleResponse: true, on: handlers.on, logger: quiet, ...extra }),
    );
  }

  it.each([
    ['goes silent', (res: ServerResponse) => res.write(finalEvent('done'))],
    ['resets the connection', (res: ServerResponse) => res.write(finalEvent('done'), () => setTimeout(() => res.socket?.destroy(), 20))],
  ])('closes a finished answer with [DONE] at once when DashScope then %s', async (_case, afterFinal) => {
    behave = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      afterFinal(res);
    };
    const started = Date.now();
    const response = await request(appFor(upstreamUrl))
      .post('/v1/chat/completions')
      .set('authorization', 'Bearer sk-host')
      .send({ ...chat, stream: true });
    expect(Date.now() - started).toBeLessThan(1_500);
    const stream = parseOpenAISse(response.text);
    expect(stream.done).toBe(true);
    expect(response.text).not.toContain('"error"');
  });

  it('never follows a redirect with the caller’s key', async () => {
    behave = (req, res) => {
      if (req.url?.startsWith('/elsewhere')) return void res.end('{}');
      res.writeHead(302, { location: `${upstreamUrl}/elsewhere` }).end();
    };
    const response = await request(appFor(upstreamUrl, { followRedirects: true }))
      .post('/v1/chat/completions')
      .set('authorization', 'Bearer sk-host')
      .send(chat);
    expect(response.status).toBe(500);
    expect(response.body.error.code).toBe('gateway_misconfigured');
    expect(received).toEqual(['Bearer sk-host']);
  });

  it('sends nothing upstream for a client that left while an earlier middleware was still running', async () => {
    behave = (_req, res) => void res.end('{}');
    const handlers = createDashScopeProxyHandlers({ baseUrl: fake.url, logger });
    const slowQuota: RequestHandler = (_req, _res, next) => void setTimeout(next, 150);
    const proxy = createProxyMiddleware({
      target: upstreamUrl,
      agent: handlers.agent,
      selfHandleResponse: true,
      on: handlers.on,
      logger: { info() {}, warn() {}, error() {} },
    });
    const server = hostApp(extractApiKey(), jsonBody(), rewriteChatRequest(), slowQuota, proxy).listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const controller = new AbortController();
    const leaving = fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-host', 'content-type': 'application/json' },
      body: JSON.stringify(chat),
      signal: controller.signal,
    }).catch(() => undefined);
    setTimeout(() => controller.abort(), 30);
    await leaving;
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(received).toEqual([]);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
