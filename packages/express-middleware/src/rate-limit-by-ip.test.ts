import { describe, expect, it } from '@jest/globals';
import express, { type RequestHandler } from 'express';
import { RateLimiterMemory, type RateLimiterAbstract } from 'rate-limiter-flexible';
import request from 'supertest';
import { createLogger } from './logger.js';
import { openAIErrorHandler } from './openai-error-handler.js';
import { rateLimitByIp } from './rate-limit-by-ip.js';

const logger = createLogger({ level: 'silent' });

/** A tiny app that trusts X-Forwarded-For, so each test picks its client's address. */
function appWith(limit: RequestHandler, { trustProxy = true }: { trustProxy?: boolean } = {}) {
  const app = express();
  app.set('trust proxy', trustProxy);
  app.use(limit);
  app.get('/', (_req, res) => void res.json({ ok: true }));
  app.use(openAIErrorHandler({ logger }));
  return app;
}

const from = (app: express.Express, address: string) => request(app).get('/').set('x-forwarded-for', address);

describe('rateLimitByIp', () => {
  it('answers the request over the limit with OpenAI’s 429, Retry-After and the x-ratelimit headers', async () => {
    const app = appWith(rateLimitByIp({ pointsPerMinute: 2, logger }));
    const first = await from(app, '203.0.113.1').expect(200);
    expect(first.headers['x-ratelimit-limit-requests']).toBe('2');
    expect(first.headers['x-ratelimit-remaining-requests']).toBe('1');
    expect(first.headers['x-ratelimit-reset-requests']).toMatch(/^(\d+ms|\d+(\.\d+)?s|1m0s)$/);
    const second = await from(app, '203.0.113.1').expect(200);
    expect(second.headers['x-ratelimit-remaining-requests']).toBe('0');

    const refused = await from(app, '203.0.113.1').expect(429);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
    expect(refused.body).toEqual({
      error: {
        message: `Rate limit reached for requests per minute (RPM) from this IP address: Limit 2. Try again in ${retryAfter}s.`,
        type: 'requests',
        param: null,
        code: 'rate_limit_exceeded',
      },
    });
    expect(refused.headers['x-ratelimit-limit-requests']).toBe('2');
    expect(refused.headers['x-ratelimit-remaining-requests']).toBe('0');
    // Retry-After is the reset, rounded up to whole seconds.
    expect(retryAfter).toBe(Math.max(1, Math.ceil(parseSeconds(refused.headers['x-ratelimit-reset-requests'] ?? ''))));
  });

  it('counts each client IP apart', async () => {
    const app = appWith(rateLimitByIp({ pointsPerMinute: 1, logger }));
    await from(app, '198.51.100.1').expect(200);
    await from(app, '198.51.100.1').expect(429);
    await from(app, '198.51.100.2').expect(200);
  });

  it('takes the client IP from req.ip: without trust proxy, X-Forwarded-For cannot pick a fresh counter', async () => {
    const app = appWith(rateLimitByIp({ pointsPerMinute: 1, logger }), { trustProxy: false });
    await from(app, '198.51.100.1').expect(200);
    await from(app, '198.51.100.2').expect(429);
  });

  it('counts an IPv6 client per /64 by default, and an IPv4-mapped address as the IPv4 one', async () => {
    const app = appWith(rateLimitByIp({ pointsPerMinute: 1, logger }));
    await from(app, '2001:db8:1:2::1').expect(200);
    await from(app, '2001:db8:1:2:ffff:ffff:ffff:ffff').expect(429);
    await from(app, '2001:db8:1:3::1').expect(200);
    await from(app, '192.0.2.7').expect(200);
    await from(app, '::ffff:192.0.2.7').expect(429);
  });

  it('counts IPv6 clients per the ipv6Subnet given', async () => {
    const app = appWith(rateLimitByIp({ pointsPerMinute: 1, ipv6Subnet: 128, logger }));
    await from(app, '2001:db8::1').expect(200);
    await from(app, '2001:db8::2').expect(200);
    await from(app, '2001:db8:0:0:0:0:0:1').expect(429);
  });

  it('takes any rate-limiter-flexible limiter, and names its window', async () => {
    const app = appWith(rateLimitByIp({ limiter: new RateLimiterMemory({ points: 1, duration: 10 }), logger }));
    await from(app, '203.0.113.5').expect(200);
    const refused = await from(app, '203.0.113.5').expect(429);
    expect(refused.body.error.message).toMatch(
      /^Rate limit reached for requests per 10 seconds from this IP address: Limit 1\. Try again in \d+s\.$/,
    );
  });

  it('lets requests through when the limiter’s store fails, and logs that once per outage', async () => {
    const lines: string[] = [];
    let failing = true;
    const memory = new RateLimiterMemory({ points: 100, duration: 60 });
    const flaky = {
      points: 100,
      duration: 60,
      consume: (key: string) => (failing ? Promise.reject(new Error('store unreachable')) : memory.consume(key)),
    } as unknown as RateLimiterAbstract;
    const app = appWith(rateLimitByIp({ limiter: flaky, logger: createLogger({ write: (line) => void lines.push(line) }) }));
    for (let index = 0; index < 3; index += 1) await from(app, '203.0.113.9').expect(200);
    expect(lines.filter((line) => line.includes('store failed'))).toHaveLength(1);
    expect(lines[0]).toContain('store unreachable');
    failing = false;
    await from(app, '203.0.113.9').expect(200);
    await from(app, '203.0.113.9').expect(200);
    expect(lines.filter((line) => line.includes('store answers again'))).toHaveLength(1);
    failing = true;
    await from(app, '203.0.113.9').expect(200);
    expect(lines.filter((line) => line.includes('store failed'))).toHaveLength(2);
  });

  it('throws at construction for bad options', () => {
    expect(() => rateLimitByIp({})).toThrow(/pointsPerMinute must be a whole number above 0/);
    for (const pointsPerMinute of [0, -1, 1.5, Number.NaN, '10' as never])
      expect(() => rateLimitByIp({ pointsPerMinute })).toThrow(TypeError);
    expect(() => rateLimitByIp({ pointsPerMinute: 10, limiter: new RateLimiterMemory({ points: 1, duration: 1 }) })).toThrow(
      /either limiter/,
    );
    expect(() => rateLimitByIp({ limiter: {} as never })).toThrow(/rate-limiter-flexible limiter/);
    expect(() => rateLimitByIp({ limiter: new RateLimiterMemory({ points: 1, duration: 0 }) })).toThrow(/duration > 0/);
    expect(() => rateLimitByIp({ pointsPerMinute: 10, storeClient: {} as never })).toThrow(/ioredis client/);
    for (const ipv6Subnet of [0, 129, 64.5]) expect(() => rateLimitByIp({ pointsPerMinute: 10, ipv6Subnet })).toThrow(/ipv6Subnet/);
  });
});

/** `12.5s`, `850ms`, `1m0s` → seconds. */
function parseSeconds(duration: string): number {
  const match = /^(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?(?:(\d+)ms)?$/.exec(duration);
  if (match === null) throw new Error(`not an OpenAI duration: ${duration}`);
  return Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0) + Number(match[3] ?? 0) / 1000;
}
