import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import express, { type NextFunction, type Request, type Response } from 'express';
import request from 'supertest';
import { startFakeDashScope, type FakeDashScope } from '@gw/fake-dashscope';
import { assertOpenAIShape, parseOpenAISse } from '@gw/testkit';
import type { CallReport } from './call-report.js';
import { createOpenAIRouter } from './create-openai-router.js';
import { extractApiKey } from './extract-api-key.js';
import { gatewayState } from './gateway-state.js';
import { createLogger } from './logger.js';
import { mountOpenAIRouter } from './mount-openai-router.js';

const logger = createLogger({ level: 'silent' });
const chat = { model: 'qwen-max', messages: [{ role: 'user', content: 'hi' }] };
let fake: FakeDashScope;

beforeAll(async () => {
  fake = await startFakeDashScope();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

describe('createOpenAIRouter options', () => {
  it('takes the key through a custom auth, and runs host middlewares between auth and the endpoints', async () => {
    const order: string[] = [];
    const app = express();
    app.use(
      '/v1',
      createOpenAIRouter({
        dashscopeBaseUrl: fake.url,
        logger,
        auth: extractApiKey({ headers: ['api-key'], resolveApiKey: (token) => (token === 'corp-1' ? 'sk-mapped' : undefined) }),
        middlewares: [
          (_req: Request, res: Response, next: NextFunction) => {
            order.push(`audit ${gatewayState(res).keyHash ?? '-'}`);
            next();
          },
        ],
      }),
    );
    await request(app).post('/v1/chat/completions').set('api-key', 'corp-1').send(chat).expect(200);
    expect(fake.requests[0]?.headers.authorization).toBe('Bearer sk-mapped');
    expect(order).toHaveLength(1);
    expect(order[0]).toMatch(/^audit [0-9a-f]{8}$/);
    const refused = await request(app).get('/v1/models').set('api-key', 'corp-2');
    expect(refused.status).toBe(401);
    expect(order).toHaveLength(1);
  });

  it('throws at construction for an auth or middleware that is not a function', () => {
    expect(() => createOpenAIRouter({ auth: 'bearer' as never })).toThrow(TypeError);
    expect(() => createOpenAIRouter({ middlewares: [null as never] })).toThrow(TypeError);
  });
});

describe('the call-finished hook', () => {
  let server: Server;
  let url: string;
  const reports: CallReport[] = [];
  beforeAll(async () => {
    const app = express();
    app.use('/v1', createOpenAIRouter({ dashscopeBaseUrl: fake.url, logger, onCallFinished: (report) => reports.push(report) }));
    server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => void (reports.length = 0));

  const waitForReports = async (count: number) => {
    for (let tries = 0; reports.length < count && tries < 100; tries++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(reports).toHaveLength(count);
  };

  it('reports a non-stream call with its usage and finish reason', async () => {
    await request(url).post('/v1/chat/completions').set('authorization', 'Bearer sk-report').send(chat).expect(200);
    await waitForReports(1);
    const report = reports[0]!;
    expect(report).toMatchObject({
      endpoint: 'chat.completions',
      method: 'POST',
      path: '/v1/chat/completions',
      model: 'qwen-max',
      status: 200,
      stream: false,
      finishReason: 'stop',
      errorCode: undefined,
      clientAborted: false,
      keyHash: expect.stringMatching(/^[0-9a-f]{8}$/),
    });
    expect(report.usage?.total_tokens).toBeGreaterThan(0);
    expect(report.timeToFirstByteMs).toBeLessThanOrEqual(report.durationMs);
    expect(JSON.stringify(report)).not.toContain('sk-report');
  });

  it('reports a stream, and a stream that failed midway with its error code', async () => {
    await request(url)
      .post('/v1/chat/completions')
      .set('authorization', 'Bearer sk-report')
      .send({ ...chat, stream: true })
      .expect(200);
    fake.enqueue({ type: 'fail-after', events: 2, status: 429, code: 'Throttling.RateQuota', message: 'Slow down.' });
    const failed = await request(url)
      .post('/v1/chat/completions')
      .set('authorization', 'Bearer sk-report')
      .send({ ...chat, stream: true });
    expect(parseOpenAISse(failed.text).done).toBe(false);
    await waitForReports(2);
    expect(reports[0]).toMatchObject({ stream: true, status: 200, finishReason: 'stop', errorCode: undefined });
    expect(reports[1]).toMatchObject({ stream: true, status: 200, errorCode: 'rate_limit_exceeded', errorType: 'rate_limit_error' });
  });

  it('reports refused requests and local endpoints, and a client that left first', async () => {
    await request(url).get('/v1/models').expect(401);
    await request(url).get('/v1/models').set('authorization', 'Bearer sk-report').expect(200);
    fake.enqueue({ type: 'hang' });
    const controller = new AbortController();
    const leaving = fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-report', 'content-type': 'application/json' },
      body: JSON.stringify(chat),
      signal: controller.signal,
    }).catch(() => undefined);
    for (let tries = 0; fake.requests.length === 0 && tries < 100; tries++) await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort();
    await leaving;
    await waitForReports(3);
    expect(reports[0]).toMatchObject({ endpoint: 'models.list', status: 401, errorCode: 'missing_authorization', keyHash: undefined });
    expect(reports[1]).toMatchObject({ endpoint: 'models.list', status: 200, errorCode: undefined });
    expect(reports[2]).toMatchObject({ endpoint: 'chat.completions', clientAborted: true, status: undefined });
  });
});

describe('mountOpenAIRouter below a host’s own JSON parser', () => {
  const app = express();
  const reports: CallReport[] = [];
  app.use(express.json({ limit: '1kb' }));
  app.post('/host/echo', (req, res) => void res.json({ echoed: req.body as unknown }));
  beforeAll(() => {
    mountOpenAIRouter(app, '/ai/v1', { dashscopeBaseUrl: fake.url, logger, onCallFinished: (report) => reports.push(report) });
    app.use((_error: unknown, _req: Request, res: Response, _next: NextFunction) => void res.status(418).send('host error page'));
  });

  it('answers the host parser’s malformed JSON with an OpenAI-shaped 400 below the prefix', async () => {
    const response = await request(app)
      .post('/ai/v1/chat/completions')
      .set('authorization', 'Bearer sk-x')
      .set('content-type', 'application/json')
      .send('{"model":');
    expect(response.status).toBe(400);
    assertOpenAIShape('ErrorResponse', response.body);
    expect(response.body.error.code).toBe('invalid_json');
    // Refused before the router ran, and still reported, once.
    for (let tries = 0; reports.length === 0 && tries < 100; tries++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(reports.map((report) => [report.status, report.errorCode])).toEqual([[400, 'invalid_json']]);
  });

  it('answers the host parser’s oversized body with an OpenAI-shaped 413, without a stack trace', async () => {
    const response = await request(app)
      .post('/ai/v1/chat/completions')
      .set('authorization', 'Bearer sk-x')
      .send({ ...chat, messages: [{ role: 'user', content: 'x'.repeat(2048) }] });
    expect(response.status).toBe(413);
    assertOpenAIShape('ErrorResponse', response.body);
    expect(response.body.error.code).toBe('request_too_large');
    expect(response.text).not.toContain(' at ');
  });

  it('serves chat with the body the host parsed, and leaves the host’s own routes and errors alone', async () => {
    await request(app).post('/ai/v1/chat/completions').set('authorization', 'Bearer sk-x').send(chat).expect(200);
    await request(app)
      .post('/host/echo')
      .send({ a: 1 })
      .expect(200, { echoed: { a: 1 } });
    const hostError = await request(app).post('/host/echo').set('content-type', 'application/json').send('{');
    expect(hostError.status).toBe(418);
    expect(hostError.text).toBe('host error page');
  });

  it('throws for a path that is not one', () => {
    expect(() => mountOpenAIRouter(express(), 'v1')).toThrow(TypeError);
  });
});

describe('a call-finished hook that fails', () => {
  it('is logged, and neither breaks the request nor the process, sync or async', async () => {
    const lines: string[] = [];
    const failingLogger = createLogger({ write: (line) => void lines.push(line) });
    for (const onCallFinished of [
      () => {
        throw new Error('metrics down (sync)');
      },
      async () => {
        throw new Error('metrics down (async)');
      },
    ]) {
      const app = express();
      app.use('/v1', createOpenAIRouter({ dashscopeBaseUrl: fake.url, logger: failingLogger, onCallFinished }));
      await request(app).get('/v1/models').set('authorization', 'Bearer sk-x').expect(200);
    }
    for (let tries = 0; lines.filter((line) => line.includes('hook threw')).length < 2 && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(lines.filter((line) => line.includes('The call-finished hook threw'))).toHaveLength(2);
  });
});
