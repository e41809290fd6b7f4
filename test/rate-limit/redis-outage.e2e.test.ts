import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import express from 'express';
import { createLogger, extractApiKey, openAIErrorHandler } from '@gw/express-middleware';
import { createRateLimits, type RateLimits } from '../../apps/server/src/rate-limits.js';
import { describeWithRedis, startRedis, type RunningRedis } from '../support/start-redis.js';

/**
 * The rate limits against a real Redis that goes away and comes back, in this process: requests are
 * served throughout, and the operator hears of the outage once and of the recovery once.
 */
const describeRedis = describeWithRedis('redis-outage.e2e.test.ts');

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describeRedis('rate limits in Redis, in one process', () => {
  let redis: RunningRedis;
  let limits: RateLimits;
  let server: Server;
  let url: string;
  const logs: string[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    const logger = createLogger({ write: (line) => void logs.push(line) });
    limits = createRateLimits({
      config: {
        rateLimitIpPerMinute: 1000,
        rateLimitKeyPerMinute: 3,
        maxConcurrentPerKey: 2,
        redisUrl: redis.url,
      },
      logger,
    });
    const app = express();
    const { byIp, byKey } = limits;
    if (byIp === undefined || byKey === undefined) throw new Error('the limits should all be on');
    app.get('/', byIp, extractApiKey(), byKey, (_req, res) => void res.json({ ok: true }));
    app.use(openAIErrorHandler({ logger }));
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await until(() => logs.some((line) => line.includes('Rate limits are shared through Redis')), 'the first connection');
  });

  afterAll(async () => {
    await limits?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await redis?.stop();
  });

  const get = (key: string) => fetch(url, { headers: { authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(5000) });

  it('counts in Redis while it is there', async () => {
    for (let index = 0; index < 3; index += 1) expect((await get('sk-counted')).status).toBe(200);
    expect((await get('sk-counted')).status).toBe(429);
    const keys = (await redis.command('KEYS', 'gw-requests-key:*')) as string[];
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/^gw-requests-key:[0-9a-f]{8}$/);
    expect(Number(await redis.command('GET', keys[0] ?? ''))).toBe(4);
  });

  it('serves every request while Redis is down, logs the outage once, and the recovery once', async () => {
    await redis.kill();
    const started = Date.now();
    for (let index = 0; index < 10; index += 1) expect((await get(`sk-outage-${index % 2}`)).status).toBe(index < 6 ? 200 : 429);
    // Neither failed nor held: each answer comes without waiting for Redis.
    expect(Date.now() - started).toBeLessThan(3000);
    // ioredis retries every few hundred milliseconds; each failure is not a new outage.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(logs.filter((line) => line.includes('Redis is unreachable'))).toHaveLength(1);
    expect(logs.find((line) => line.includes('Redis is unreachable'))).toMatch(/WARN - .*redis: 127\.0\.0\.1:\d+/);

    await redis.restart();
    await until(() => logs.some((line) => line.includes('Redis is reachable again')), 'the reconnection');
    expect(logs.filter((line) => line.includes('Redis is reachable again'))).toHaveLength(1);
    expect(logs.filter((line) => line.includes('Redis is unreachable'))).toHaveLength(1);
    // Counting is back in Redis (emptied by the restart).
    expect((await get('sk-after')).status).toBe(200);
    expect(await redis.command('KEYS', 'gw-requests-key:*')).toHaveLength(1);
  });
});
