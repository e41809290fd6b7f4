import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import express, { type RequestHandler, type Response } from 'express';
import { chatCompletionsEndpoint } from '@gw/core';
import { startFakeDashScope, type FakeDashScope } from '@gw/fake-dashscope';
import { createOpenAIRouter } from './create-openai-router.js';
import { extractApiKey } from './extract-api-key.js';
import { jsonBody } from './json-body.js';
import { createMemoryCallSlots, type CallSlots } from './call-slots.js';
import type { CallReport } from './call-report.js';
import { limitConcurrentCalls, type LimitConcurrentCallsOptions } from './limit-concurrent-calls.js';
import { createLogger } from './logger.js';
import { openAIErrorHandler } from './openai-error-handler.js';
import { rewriteRequest } from './rewrite-request.js';

const logger = createLogger({ level: 'silent' });
const chat = (stream: boolean) => ({ model: 'qwen-max', messages: [{ role: 'user', content: 'hi' }], stream });

/** Memory slots that count every acquire and release; a second release of one slot would show. */
function countingSlots(inner: CallSlots = createMemoryCallSlots()) {
  const counts = { acquired: 0, released: 0 };
  const slots: CallSlots = {
    async acquire(key, limit) {
      const slot = await inner.acquire(key, limit);
      if (slot === undefined) return undefined;
      counts.acquired += 1;
      return {
        release() {
          counts.released += 1;
          slot.release();
        },
      };
    },
  };
  return { slots, counts };
}

interface TestApp {
  url: string;
  counts: { acquired: number; released: number };
  /** Calls the endpoint holds open, oldest first. */
  open: Response[];
  /** Client connections the server still has. */
  connections(): number;
  close(): Promise<void>;
}

/**
 * The real pieces before the limit (auth, body, rewrite), then a stand-in for the proxy that opens an
 * answer, stream or not, and holds it until the test ends it; `fail` makes it fail before answering instead.
 */
async function startApp(options: Partial<LimitConcurrentCallsOptions> = {}, { fail = false } = {}): Promise<TestApp> {
  const { slots, counts } = countingSlots(options.slots);
  const open: Response[] = [];
  const hold: RequestHandler = (_req, res, next) => {
    if (fail) return next(new Error('the proxy broke'));
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(': open\n\n');
    open.push(res);
  };
  const app = express();
  app.post(
    '/v1/chat/completions',
    extractApiKey(),
    jsonBody(),
    rewriteRequest({ endpoint: chatCompletionsEndpoint, logger }),
    limitConcurrentCalls({ maxPerKey: 1, logger, ...options, slots }),
    hold,
  );
  app.use(openAIErrorHandler({ logger }));
  const server = await listen(app);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let connections = 0;
  server.on('connection', (socket) => {
    connections += 1;
    socket.once('close', () => (connections -= 1));
  });
  return {
    url,
    counts,
    open,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function listen(app: express.Express): Promise<Server> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function post(url: string, { key = 'sk-key-a', stream = true, signal }: { key?: string; stream?: boolean; signal?: AbortSignal } = {}) {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(chat(stream)),
    signal,
  });
}

/** Waits for something the server does after the client already has its answer. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('limitConcurrentCalls', () => {
  let app: TestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('refuses a call over the key’s cap with OpenAI’s 429; other keys pass', async () => {
    app = await startApp({ retryAfter: 3 });
    const first = await post(app.url);
    expect(first.status).toBe(200);
    const refused = await post(app.url);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('3');
    expect(await refused.json()).toEqual({
      error: {
        message:
          'Too many concurrent requests on this API key: Limit 1 calls in flight at a time. Try again in 3s, once one of them has finished.',
        type: 'requests',
        param: null,
        code: 'too_many_concurrent_requests',
      },
    });
    expect((await post(app.url, { key: 'sk-key-b' })).status).toBe(200);
    expect(app.counts).toEqual({ acquired: 2, released: 0 });
  });

  it('counts non-stream calls as well: a stream and a non-stream call share the key’s cap', async () => {
    app = await startApp({ maxPerKey: 2 });
    // Slow non-stream calls held open fill the cap as streams would.
    expect((await post(app.url, { stream: false })).status).toBe(200);
    expect((await post(app.url, { stream: false })).status).toBe(200);
    const refused = await post(app.url, { stream: false });
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('too_many_concurrent_requests');
    expect((await post(app.url, { stream: true })).status).toBe(429);
    app.open.shift()?.end();
    await until(() => app?.counts.released === 1);
    expect((await post(app.url, { stream: true })).status).toBe(200);
    expect(app.counts).toEqual({ acquired: 3, released: 1 });
  });

  it('gives the slot back once when the stream finishes', async () => {
    app = await startApp();
    const first = await post(app.url);
    expect((await post(app.url)).status).toBe(429);
    app.open.shift()?.end('data: [DONE]\n\n');
    await first.text();
    await until(() => app?.counts.released === 1);
    const next = await post(app.url);
    expect(next.status).toBe(200);
    expect(app.counts).toEqual({ acquired: 2, released: 1 });
  });

  it('gives the slot back once when the client leaves mid-stream', async () => {
    app = await startApp();
    const client = new AbortController();
    const first = await post(app.url, { signal: client.signal });
    expect(first.status).toBe(200);
    client.abort();
    await until(() => app?.counts.released === 1);
    expect((await post(app.url)).status).toBe(200);
    expect(app.counts).toEqual({ acquired: 2, released: 1 });
  });

  it('gives the slot back once when the stream breaks on the server side', async () => {
    app = await startApp();
    const first = await post(app.url);
    expect(first.status).toBe(200);
    app.open.shift()?.destroy();
    await expect(first.text()).rejects.toThrow();
    await until(() => app?.counts.released === 1);
    expect((await post(app.url)).status).toBe(200);
    expect(app.counts).toEqual({ acquired: 2, released: 1 });
  });

  it('gives the slot back once when the call fails before answering', async () => {
    app = await startApp({}, { fail: true });
    expect((await post(app.url)).status).toBe(500);
    await until(() => app?.counts.released === 1);
    expect((await post(app.url)).status).toBe(500);
    await until(() => app?.counts.released === 2);
    expect(app.counts).toEqual({ acquired: 2, released: 2 });
  });

  it('gives the slot back at once when the client left while it was being taken', async () => {
    let admit: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (admit = resolve));
    let asked = false;
    const memory = createMemoryCallSlots();
    app = await startApp({
      slots: {
        async acquire(key, limit) {
          asked = true;
          await gate;
          return memory.acquire(key, limit);
        },
      },
    });
    const client = new AbortController();
    const pending = post(app.url, { signal: client.signal });
    await until(() => asked);
    client.abort();
    await expect(pending).rejects.toThrow();
    await until(() => app?.connections() === 0);
    await new Promise((resolve) => setImmediate(resolve));
    admit();
    await until(() => app?.counts.released === 1);
    expect(app.open).toHaveLength(0);
    expect((await post(app.url)).status).toBe(200);
  });

  it('lets calls through uncounted while counting fails, and logs that once', async () => {
    const lines: string[] = [];
    app = await startApp({
      slots: { acquire: () => Promise.reject(new Error('counter unreachable')) },
      logger: createLogger({ write: (line) => void lines.push(line) }),
    });
    expect((await post(app.url)).status).toBe(200);
    expect((await post(app.url)).status).toBe(200);
    expect(lines.filter((line) => line.includes('counter unreachable'))).toHaveLength(1);
  });

  it('answers a 500 naming the fix when mounted before the call is prepared', async () => {
    const bare = express();
    bare.post('/', extractApiKey(), limitConcurrentCalls({ maxPerKey: 1, logger }), (_req, res) => void res.end());
    bare.use(openAIErrorHandler({ logger }));
    const server = await listen(bare);
    try {
      const direct = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, {
        method: 'POST',
        headers: { authorization: 'Bearer sk-key-a' },
      });
      expect(direct.status).toBe(500);
      expect(((await direct.json()) as { error: { code: string; message: string } }).error).toMatchObject({
        code: 'gateway_misconfigured',
        message: expect.stringContaining('after rewriteRequest()'),
      });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('throws at construction for bad options', () => {
    for (const maxPerKey of [0, -1, 2.5, undefined, '4'] as never[]) expect(() => limitConcurrentCalls({ maxPerKey })).toThrow(TypeError);
    expect(() => limitConcurrentCalls({ maxPerKey: 1, slots: {} as never })).toThrow(/slots/);
    expect(() => limitConcurrentCalls({ maxPerKey: 1, retryAfter: 0 })).toThrow(/retryAfter/);
  });
});

describe('limitConcurrentCalls in the router’s callMiddlewares slot', () => {
  let fake: FakeDashScope;
  let server: Server;
  let url: string;
  const reports: CallReport[] = [];
  beforeAll(async () => {
    // DashScope never answers a non-stream call (a slow one), and sends a stream's events slowly: both
    // stay in flight until the client leaves.
    fake = await startFakeDashScope({
      eventDelayMs: 200,
      reply: () => '一二三四五六七八九十'.repeat(4),
      behave: (request) => (request.headers['x-dashscope-sse'] === 'enable' ? undefined : { type: 'hang' }),
    });
    const app = express();
    app.use(
      '/v1',
      createOpenAIRouter({
        dashscopeBaseUrl: fake.url,
        logger,
        callMiddlewares: [limitConcurrentCalls({ maxPerKey: 1, logger })],
        onCallFinished: (report) => void reports.push(report),
      }),
    );
    server = await listen(app);
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await fake.close();
  });

  it('caps real calls through DashScope, a slow non-stream call included, and frees the slot when the client leaves', async () => {
    const client = new AbortController();
    const slow = post(url, { stream: false, signal: client.signal });
    slow.catch(() => undefined);
    while (fake.openResponses === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    for (const stream of [true, false]) {
      const refused = await post(url, { stream });
      expect(refused.status).toBe(429);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('too_many_concurrent_requests');
    }
    // Only the one call reached DashScope; the refusals are the gateway's, reported as `rejected`.
    expect(fake.requests).toHaveLength(1);
    expect(reports.filter((report) => report.errorCode === 'too_many_concurrent_requests').map((report) => report.outcome)).toEqual([
      'rejected',
      'rejected',
    ]);
    client.abort();
    // The gateway frees the slot when it sees the client go, a moment after the abort.
    let next = await post(url);
    while (next.status === 429) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      next = await post(url);
    }
    expect(next.status).toBe(200);
    await next.body?.cancel();
  });

  it('throws at construction for callMiddlewares that are not functions', () => {
    expect(() => createOpenAIRouter({ callMiddlewares: ['limit' as never] })).toThrow(/callMiddlewares must be functions/);
  });
});
