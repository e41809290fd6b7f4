import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import express from 'express';
import request from 'supertest';
import { startFakeDashScope, type FakeDashScope } from '@gw/fake-dashscope';
import { createApiKeyHasher, createLogger, createOpenAIRouter, requestLogger } from '@gw/express-middleware';
import { assertOpenAIShape, parseOpenAISse } from '@gw/testkit';

/**
 * A company's existing Express gateway: its own body parser (with a small limit), its own routes and
 * error page, and the DashScope gateway's middlewares mounted under a prefix next to them.
 */
let fake: FakeDashScope;
let server: Server;
let url: string;
const logs: string[] = [];

beforeAll(async () => {
  fake = await startFakeDashScope();
  const app = express();
  app.use(express.json({ limit: '100kb' }));
  const logger = createLogger({ write: (line) => void logs.push(line) });
  app.get('/internal/status', (_req, res) => void res.json({ host: 'ok' }));
  app.post('/internal/echo', (req, res) => void res.json({ echoed: req.body as unknown }));
  app.use(
    '/ai/dashscope/v1',
    requestLogger({ logger, hashApiKey: createApiKeyHasher() }),
    createOpenAIRouter({ dashscopeBaseUrl: fake.url, logger }),
  );
  app.use((_req, res) => void res.status(404).send('host app: not here'));
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await fake.close();
});
beforeEach(() => fake.reset());

describe('the middlewares inside a foreign Express app', () => {
  it('leaves the host routes and its body parser alone', async () => {
    await request(url).get('/internal/status').expect(200, { host: 'ok' });
    await request(url)
      .post('/internal/echo')
      .send({ a: 1 })
      .expect(200, { echoed: { a: 1 } });
    const notFound = await request(url).get('/elsewhere');
    expect(notFound.status).toBe(404);
    expect(notFound.text).toBe('host app: not here');
  });

  it('serves chat completions under the prefix, with the body the host already parsed', async () => {
    const response = await request(url)
      .post('/ai/dashscope/v1/chat/completions')
      .set('authorization', 'Bearer sk-host-user')
      .send({ model: 'qwen-max', messages: [{ role: 'user', content: 'from the host app' }] });
    expect(response.status).toBe(200);
    assertOpenAIShape('CreateChatCompletionResponse', response.body);
    expect(fake.requests[0]?.path).toBe('/api/v1/services/aigc/text-generation/generation');
    expect(fake.requests[0]?.body).toEqual({
      model: 'qwen-max',
      input: { messages: [{ role: 'user', content: 'from the host app' }] },
      parameters: { result_format: 'message' },
    });
  });

  it('streams under the prefix', async () => {
    const response = await fetch(`${url}/ai/dashscope/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-host-user', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'qwen-max', messages: [{ role: 'user', content: 'stream please' }], stream: true }),
    });
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(parseOpenAISse(await response.text()).done).toBe(true);
  });

  it('answers OpenAI-shaped errors and 404s below the prefix only', async () => {
    const unauthorized = await request(url).get('/ai/dashscope/v1/models');
    expect(unauthorized.status).toBe(401);
    assertOpenAIShape('ErrorResponse', unauthorized.body);
    const models = await request(url).get('/ai/dashscope/v1/models').set('authorization', 'Bearer sk-host-user');
    assertOpenAIShape('ListModelsResponse', models.body);
    const unknown = await request(url).get('/ai/dashscope/v1/nope').set('authorization', 'Bearer sk-host-user');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({
      error: { message: 'Invalid URL (GET /ai/dashscope/v1/nope)', type: 'invalid_request_error', param: null, code: 'unknown_url' },
    });
    const invalid = await request(url)
      .post('/ai/dashscope/v1/chat/completions')
      .set('authorization', 'Bearer sk-host-user')
      .send({ model: 'qwen-max', messages: [] });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.param).toBe('messages');
  });

  it('logs the gateway requests with the key fingerprint, not the key', async () => {
    logs.length = 0;
    await request(url).get('/ai/dashscope/v1/models').set('authorization', 'Bearer sk-host-user');
    await request(url).get('/internal/status');
    expect(logs).toHaveLength(2);
    expect(logs.join('')).toContain(`API Key Hash: ${createApiKeyHasher()('sk-host-user')}`);
    expect(logs.join('')).not.toContain('sk-host-user');
  });
});
