import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { listModels } from '@gw/core';
import request from 'supertest';
import { createLogger } from '@gw/express-middleware';
import { assertOpenAIShape } from '@gw/testkit';
import { loadConfig } from '../src/config.js';
import { createApp } from '../src/create-app.js';
import { startStack, type Stack } from './start-stack.js';

const key = 'sk-test-key';
const auth = { authorization: `Bearer ${key}` };
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.close();
});
beforeEach(() => stack.fake.reset());

async function getJson(path: string, init: RequestInit = {}) {
  const response = await fetch(`${stack.url}${path}`, init);
  return { response, body: (await response.json()) as Record<string, unknown> & { error?: Record<string, unknown> } };
}

describe('GET /', () => {
  it('describes the service and how to call it', async () => {
    const { response, body } = await getJson('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(body).toEqual({
      message: 'DashScope to OpenAI API Gateway',
      version,
      description: expect.any(String),
      dashscope_endpoint: `${stack.fake.url}/api/v1/services/aigc/text-generation/generation`,
      usage: {
        endpoint: '/v1/chat/completions',
        method: 'POST',
        auth: expect.stringContaining('Authorization: Bearer'),
        model: 'farui-plus',
      },
      docs: '/docs',
      openapi: '/openapi.json',
    });
    expect(String(body.description).length).toBeGreaterThan(0);
    expect(stack.fake.requests).toEqual([]);
  });

  it('shows a base URL with a path prefix as configured', async () => {
    const prefixed = await startStack({ config: { dashscopeBaseUrl: 'https://proxy.example/dashscope' } });
    try {
      const body = (await (await fetch(`${prefixed.url}/`)).json()) as { dashscope_endpoint: string };
      expect(body.dashscope_endpoint).toBe('https://proxy.example/dashscope/api/v1/services/aigc/text-generation/generation');
    } finally {
      await prefixed.close();
    }
  });
});

describe('GET /health', () => {
  it('answers exactly the original product’s shape, with the time in unix seconds', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { response, body } = await getJson('/health');
    const after = Math.floor(Date.now() / 1000);
    expect(response.status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(['service', 'status', 'timestamp']);
    expect(body).toEqual({ status: 'healthy', timestamp: expect.any(Number), service: 'DashScope to OpenAI API Gateway' });
    expect(Number.isInteger(body.timestamp)).toBe(true);
    expect(body.timestamp).toBeGreaterThanOrEqual(before);
    expect(body.timestamp).toBeLessThanOrEqual(after);
  });

  it('needs no key and never calls DashScope', async () => {
    expect((await fetch(`${stack.url}/health`)).status).toBe(200);
    expect(stack.fake.requests).toEqual([]);
  });

  it('reads the injected clock', async () => {
    const app = createApp({ config: loadConfig({}), logger: createLogger({ level: 'silent' }), now: () => 1_704_067_200_999 });
    const response = await request(app).get('/health');
    expect(response.body).toEqual({ status: 'healthy', timestamp: 1_704_067_200, service: 'DashScope to OpenAI API Gateway' });
  });
});

describe('GET /v1/models', () => {
  it('lists the catalogue in OpenAI’s shape, farui-plus first', async () => {
    const { response, body } = await getJson('/v1/models', { headers: auth });
    expect(response.status).toBe(200);
    assertOpenAIShape('ListModelsResponse', body);
    expect(body.object).toBe('list');
    expect((body.data as Array<{ id: string }>).map((model) => model.id)).toEqual(listModels().data.map((model) => model.id));
    expect(stack.fake.requests).toEqual([]);
  });

  it('wants a key like every /v1 call', async () => {
    const { response, body } = await getJson('/v1/models');
    expect(response.status).toBe(401);
    assertOpenAIShape('ErrorResponse', body);
    expect(body.error).toMatchObject({ type: 'authentication_error', code: 'missing_authorization' });
  });

  it('retrieves one model', async () => {
    const { response, body } = await getJson('/v1/models/qwen-max', { headers: auth });
    expect(response.status).toBe(200);
    assertOpenAIShape('Model', body);
    expect(body).toMatchObject({ id: 'qwen-max', object: 'model', owned_by: expect.any(String) });
  });

  it('answers an unknown model with 404 model_not_found', async () => {
    const { response, body } = await getJson('/v1/models/gpt-4o', { headers: auth });
    expect(response.status).toBe(404);
    assertOpenAIShape('ErrorResponse', body);
    expect(body.error).toMatchObject({ type: 'invalid_request_error', code: 'model_not_found', param: 'model' });
    expect(body.error?.message).toContain('gpt-4o');
  });
});

describe('unknown routes', () => {
  it.each([
    ['GET', '/v1/nope'],
    ['POST', '/nope'],
    ['GET', '/v1/chat/completions'],
    ['PUT', '/v1/models'],
    ['GET', '/v2/models'],
  ])('%s %s → OpenAI’s 404', async (method, path) => {
    const { response, body } = await getJson(`${path}?key=value`, { method, headers: auth });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    assertOpenAIShape('ErrorResponse', body);
    expect(body).toEqual({
      error: { message: `Invalid URL (${method} ${path})`, type: 'invalid_request_error', param: null, code: 'unknown_url' },
    });
    expect(stack.fake.requests).toEqual([]);
  });
});

describe('CORS, default (any origin)', () => {
  it('allows any origin on a normal response, never with credentials', async () => {
    const response = await fetch(`${stack.url}/health`, { headers: { origin: 'https://somewhere.example' } });
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('lets browsers read Retry-After', async () => {
    const response = await fetch(`${stack.url}/health`, { headers: { origin: 'https://somewhere.example' } });
    expect(response.headers.get('access-control-expose-headers')?.toLowerCase()).toContain('retry-after');
  });

  it('keeps CORS headers on error responses, so browsers can read OpenAI errors', async () => {
    const response = await fetch(`${stack.url}/v1/models`, { headers: { origin: 'https://somewhere.example' } });
    expect(response.status).toBe(401);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('answers the preflight of a chat call with 204, allowing Authorization, without a key and without DashScope', async () => {
    const response = await fetch(`${stack.url}/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://somewhere.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    const allowed = (response.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(/\s*,\s*/);
    expect(allowed).toEqual(expect.arrayContaining(['authorization', 'content-type']));
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    expect(response.headers.get('access-control-max-age')).toBe('86400');
    expect(stack.fake.requests).toEqual([]);
  });
});

describe('CORS with a list of origins', () => {
  let restricted: Stack;
  beforeAll(async () => {
    restricted = await startStack({ config: { corsOrigins: ['https://app.example'] } });
  });
  afterAll(async () => {
    await restricted.close();
  });

  it('allows the listed origin by name', async () => {
    const response = await fetch(`${restricted.url}/health`, { headers: { origin: 'https://app.example' } });
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(response.headers.get('vary')?.toLowerCase()).toContain('origin');
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('gives other origins no CORS permission, on normal responses and preflights', async () => {
    const normal = await fetch(`${restricted.url}/health`, { headers: { origin: 'https://evil.example' } });
    expect(normal.status).toBe(200);
    expect(normal.headers.get('access-control-allow-origin')).toBeNull();

    const preflight = await fetch(`${restricted.url}/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://evil.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers the listed origin’s preflight', async () => {
    const preflight = await fetch(`${restricted.url}/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
  });
});
