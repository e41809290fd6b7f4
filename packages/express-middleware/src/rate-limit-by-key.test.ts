import { describe, expect, it } from '@jest/globals';
import express, { type RequestHandler } from 'express';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import request from 'supertest';
import { extractApiKey } from './extract-api-key.js';
import { createLogger } from './logger.js';
import { openAIErrorHandler } from './openai-error-handler.js';
import { rateLimitByIp } from './rate-limit-by-ip.js';
import { rateLimitByKey } from './rate-limit-by-key.js';

const logger = createLogger({ level: 'silent' });

function appWith(...handlers: RequestHandler[]) {
  const app = express();
  app.set('trust proxy', true);
  app.get('/', ...handlers, (_req, res) => void res.json({ ok: true }));
  app.use(openAIErrorHandler({ logger }));
  return app;
}

const call = (app: express.Express, key: string, address = '203.0.113.1') =>
  request(app).get('/').set('authorization', `Bearer ${key}`).set('x-forwarded-for', address);

describe('rateLimitByKey', () => {
  it('answers the request over a key’s limit with OpenAI’s 429, and counts each key apart', async () => {
    const app = appWith(extractApiKey(), rateLimitByKey({ pointsPerMinute: 2, logger }));
    const first = await call(app, 'sk-key-a').expect(200);
    expect(first.headers['x-ratelimit-limit-requests']).toBe('2');
    expect(first.headers['x-ratelimit-remaining-requests']).toBe('1');
    await call(app, 'sk-key-a').expect(200);
    const refused = await call(app, 'sk-key-a').expect(429);
    expect(refused.body.error).toEqual({
      message: `Rate limit reached for requests per minute (RPM) on this API key: Limit 2. Try again in ${refused.headers['retry-after']}s.`,
      type: 'requests',
      param: null,
      code: 'rate_limit_exceeded',
    });
    expect(refused.headers['x-ratelimit-remaining-requests']).toBe('0');
    await call(app, 'sk-key-b').expect(200);
  });

  it('counts under the key’s fingerprint, never the key itself', async () => {
    const counted: string[] = [];
    const limiter = new RateLimiterMemory({ points: 10, duration: 60 });
    const consume = limiter.consume.bind(limiter);
    limiter.consume = (key, ...rest) => {
      counted.push(String(key));
      return consume(key, ...rest);
    };
    const app = appWith(extractApiKey(), rateLimitByKey({ limiter, logger }));
    await call(app, 'sk-secret-key-123').expect(200);
    expect(counted).toHaveLength(1);
    expect(counted[0]).toMatch(/^[0-9a-f]{8}$/);
    expect(counted[0]).not.toContain('secret');
  });

  it('lets a request without a key fingerprint through uncounted (auth answers it)', async () => {
    const app = appWith(rateLimitByKey({ pointsPerMinute: 1, logger }), extractApiKey());
    for (let index = 0; index < 3; index += 1) {
      const response = await request(app).get('/').expect(401);
      expect(response.headers['x-ratelimit-limit-requests']).toBeUndefined();
    }
  });

  it('is independent of the per-IP limit, and shows whichever has fewer requests left', async () => {
    const app = appWith(rateLimitByIp({ pointsPerMinute: 4, logger }), extractApiKey(), rateLimitByKey({ pointsPerMinute: 2, logger }));
    const first = await call(app, 'sk-key-a', '198.51.100.1').expect(200);
    // Per IP 3 left, per key 1 left: the key's limit is the one this client meets first.
    expect(first.headers['x-ratelimit-limit-requests']).toBe('2');
    expect(first.headers['x-ratelimit-remaining-requests']).toBe('1');
    await call(app, 'sk-key-a', '198.51.100.1').expect(200);
    // Key a is spent; another key from the same IP is not.
    expect((await call(app, 'sk-key-a', '198.51.100.1').expect(429)).body.error.message).toContain('on this API key');
    const other = await call(app, 'sk-key-b', '198.51.100.1').expect(200);
    expect(other.headers['x-ratelimit-limit-requests']).toBe('4');
    expect(other.headers['x-ratelimit-remaining-requests']).toBe('0');
    // Now the IP is spent (4 requests); key b from another IP is not.
    expect((await call(app, 'sk-key-b', '198.51.100.1').expect(429)).body.error.message).toContain('from this IP address');
    await call(app, 'sk-key-b', '198.51.100.2').expect(200);
  });

  it('throws at construction for bad options', () => {
    expect(() => rateLimitByKey({})).toThrow(TypeError);
    expect(() => rateLimitByKey({ pointsPerMinute: 0 })).toThrow(/pointsPerMinute/);
    expect(() => rateLimitByKey({ pointsPerMinute: 5, keyPrefix: '' })).toThrow(/keyPrefix/);
    expect(() => rateLimitByKey({ pointsPerMinute: 5, storeClient: { status: 'ready' } as never })).toThrow(/ioredis client/);
  });
});
