import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createLogger } from '@gw/express-middleware';
import { startFakeDashScope, type FakeDashScope } from '@gw/fake-dashscope';
import { ConfigError, loadConfig, type GatewayConfig } from '../../apps/server/src/config.js';
import { createApp } from '../../apps/server/src/create-app.js';
import { createRateLimits } from '../../apps/server/src/rate-limits.js';

const logger = createLogger({ level: 'silent' });

describe('rate-limit settings', () => {
  it('default to 600 requests per minute per IP and per key, 32 calls in flight per key, in memory', () => {
    expect(loadConfig({})).toMatchObject({
      rateLimitIpPerMinute: 600,
      rateLimitKeyPerMinute: 600,
      maxConcurrentPerKey: 32,
      redisUrl: undefined,
    });
    expect(
      loadConfig({ RATE_LIMIT_IP_PER_MINUTE: '0', MAX_CONCURRENT_PER_KEY: '4', REDIS_URL: 'rediss://:secret@redis:6380/1' }),
    ).toMatchObject({
      rateLimitIpPerMinute: 0,
      maxConcurrentPerKey: 4,
      redisUrl: 'rediss://:secret@redis:6380/1',
    });
  });

  it('refuse what is not a count or a Redis URL', () => {
    expect(() => loadConfig({ RATE_LIMIT_KEY_PER_MINUTE: '-1' })).toThrow(ConfigError);
    expect(() => loadConfig({ MAX_CONCURRENT_PER_KEY: 'many' })).toThrow(/MAX_CONCURRENT_PER_KEY/);
    expect(() => loadConfig({ REDIS_URL: 'http://redis:6379' })).toThrow(/REDIS_URL.*redis:\/\//);
  });

  it('turn a limit off with 0', async () => {
    const limits = createRateLimits({
      config: { ...loadConfig({}), rateLimitIpPerMinute: 0, rateLimitKeyPerMinute: 0, maxConcurrentPerKey: 0 },
      logger,
    });
    expect([limits.byIp, limits.byKey, limits.concurrentCalls]).toEqual([undefined, undefined, undefined]);
    await limits.close();
  });
});

describe('the rate limits in the standalone app', () => {
  let fake: FakeDashScope;
  let config: GatewayConfig;
  beforeAll(async () => {
    fake = await startFakeDashScope({ eventDelayMs: 200, reply: () => '一二三四五六七八九十'.repeat(4) });
    config = { ...loadConfig({}), dashscopeBaseUrl: fake.url, trustProxy: true, corsOrigins: '*' };
  });
  afterAll(() => fake.close());

  it('limits /v1 per client IP, leaves /health alone, and lets browsers read the headers', async () => {
    const app = createApp({ config: { ...config, rateLimitIpPerMinute: 2 }, logger });
    const models = () =>
      request(app)
        .get('/v1/models')
        .set('x-forwarded-for', '203.0.113.7')
        .set('origin', 'https://app.example.com')
        .set('authorization', 'Bearer sk-ip-test');
    const passed = await models().expect(200);
    // Per IP 1 left, per key 599: the tighter one is shown.
    expect(passed.headers['x-ratelimit-limit-requests']).toBe('2');
    expect(passed.headers['access-control-expose-headers']?.split(',')).toEqual(
      expect.arrayContaining(['retry-after', 'x-ratelimit-limit-requests', 'x-ratelimit-remaining-requests', 'x-ratelimit-reset-requests']),
    );
    await models().expect(200);
    const refused = await models().expect(429);
    expect(refused.body.error.code).toBe('rate_limit_exceeded');
    expect(refused.headers['access-control-allow-origin']).toBe('*');
    // Refused before auth reads anything: without a key it is a 429 all the same, not a 401.
    await request(app).get('/v1/models').set('x-forwarded-for', '203.0.113.7').expect(429);
    for (let index = 0; index < 3; index += 1) await request(app).get('/health').set('x-forwarded-for', '203.0.113.7').expect(200);
  });

  it('limits requests per key after auth', async () => {
    const app = createApp({ config: { ...config, rateLimitKeyPerMinute: 1 }, logger });
    await request(app).get('/v1/models').set('authorization', 'Bearer sk-one').expect(200);
    const refused = await request(app).get('/v1/models').set('authorization', 'Bearer sk-one').expect(429);
    expect(refused.body.error.message).toContain('on this API key');
    await request(app).get('/v1/models').set('authorization', 'Bearer sk-two').expect(200);
    // Without a key, auth answers: a 401, not a 429.
    await request(app).get('/v1/models').expect(401);
  });

  it('caps the calls in flight per key, streams and non-streams alike', async () => {
    const app = createApp({ config: { ...config, maxConcurrentPerKey: 1 }, logger });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const address = server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
    const stream = () =>
      fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: 'Bearer sk-streams', 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'qwen-turbo', messages: [{ role: 'user', content: 'hi' }], stream: true }),
      });
    try {
      const first = await stream();
      expect(first.status).toBe(200);
      const refused = await stream();
      expect(refused.status).toBe(429);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('too_many_concurrent_requests');
      // A non-stream call of the same key waits for a DashScope connection all the same: refused too.
      const nonStream = await request(app)
        .post('/v1/chat/completions')
        .set('authorization', 'Bearer sk-streams')
        .send({ model: 'qwen-turbo', messages: [{ role: 'user', content: 'hi' }] });
      expect(nonStream.status).toBe(429);
      await first.body?.cancel();
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
