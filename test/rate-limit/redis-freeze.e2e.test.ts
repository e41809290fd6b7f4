import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { createApiKeyHasher, createLogger } from '@gw/express-middleware';
import { startFakeDashScope, type FakeDashScope } from '@gw/fake-dashscope';
import { loadConfig, type GatewayConfig } from '../../apps/server/src/config.js';
import { createApp } from '../../apps/server/src/create-app.js';
import { createRateLimits, type RateLimits } from '../../apps/server/src/rate-limits.js';
import { describeWithRedis, startRedis, type RunningRedis } from '../support/start-redis.js';

/**
 * The standalone app in front of a Redis that freezes (SIGSTOP): its connection stays open and nothing is
 * answered, so only timeouts tell. The requests in flight then wait once (the 1 s command timeout), the
 * others not at all; the outage is logged once; and after the thaw, no key is locked out by the slots
 * Redis took for calls the gateway had already given up on.
 */
const describeRedis = describeWithRedis('redis-freeze.e2e.test.ts');
const COOL_DOWN_MS = 2000;

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface RunningApp {
  url: string;
  logs: string[];
  close(): Promise<void>;
}

describeRedis('the standalone app while Redis is frozen', () => {
  let redis: RunningRedis;
  let fake: FakeDashScope;
  const apps: RunningApp[] = [];

  /** The app with these limits, in Redis, waiting until it is connected. */
  async function startApp(limits: Pick<GatewayConfig, 'rateLimitIpPerMinute' | 'rateLimitKeyPerMinute' | 'maxConcurrentPerKey'>) {
    const logs: string[] = [];
    const logger = createLogger({ write: (line) => void logs.push(line) });
    const config: GatewayConfig = { ...loadConfig({}), dashscopeBaseUrl: fake.url, redisUrl: redis.url, ...limits };
    const rateLimits: RateLimits = createRateLimits({ config, logger, redisCoolDownMs: COOL_DOWN_MS });
    const server = await new Promise<Server>((resolve) => {
      const listening = createApp({ config, logger, rateLimits }).listen(0, '127.0.0.1', () => resolve(listening));
    });
    const app: RunningApp = {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      logs,
      async close() {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
        await rateLimits.close();
      },
    };
    apps.push(app);
    await until(() => logs.some((line) => line.includes('Rate limits are shared through Redis')), 'the connection to Redis');
    return app;
  }

  beforeAll(async () => {
    redis = await startRedis();
    // Slow events keep a stream open for seconds, unless the client leaves.
    fake = await startFakeDashScope({ eventDelayMs: 200, reply: () => '一二三四五六七八九十'.repeat(4) });
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await fake?.close();
    await redis?.stop();
  });

  function chat(app: RunningApp, key: string, { stream = false, signal }: { stream?: boolean; signal?: AbortSignal } = {}) {
    return fetch(`${app.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'qwen-turbo', messages: [{ role: 'user', content: 'hi' }], stream }),
      signal: signal ?? AbortSignal.timeout(8000),
    });
  }

  const outages = (app: RunningApp) => app.logs.filter((line) => line.includes('Redis is unreachable'));
  const recoveries = (app: RunningApp) => app.logs.filter((line) => line.includes('Redis is reachable again'));

  it('keeps answering at once: only the first request waits for the frozen Redis, and the outage is logged once', async () => {
    const app = await startApp({ rateLimitIpPerMinute: 1000, rateLimitKeyPerMinute: 1000, maxConcurrentPerKey: 4 });
    const keyCounter = `gw-requests-key:${createApiKeyHasher()('sk-frozen')}`;
    expect((await chat(app, 'sk-frozen')).status).toBe(200);
    expect(await redis.command('GET', keyCounter)).toBe('1');

    redis.freeze();
    const durations: number[] = [];
    try {
      for (let index = 0; index < 8; index += 1) {
        const started = performance.now();
        const response = await chat(app, 'sk-frozen');
        durations.push(performance.now() - started);
        expect(response.status).toBe(200);
        await response.text();
      }
    } finally {
      redis.thaw();
    }
    // The first request waited out one command timeout (1 s), not one per limit (3 s); no later one asked Redis.
    expect(durations[0]).toBeGreaterThanOrEqual(900);
    expect(durations[0]).toBeLessThan(2000);
    expect(Math.max(...durations.slice(1))).toBeLessThan(500);
    expect(outages(app)).toHaveLength(1);
    expect(outages(app)[0]).toMatch(/WARN - Redis is unreachable.*Command timed out/);

    // After the cool-down, one request finds Redis back; counting is shared again.
    await until(async () => {
      await (await chat(app, 'sk-frozen')).text();
      return recoveries(app).length > 0;
    }, 'the recovery');
    const counted = Number(await redis.command('GET', keyCounter));
    expect((await chat(app, 'sk-frozen')).status).toBe(200);
    expect(Number(await redis.command('GET', keyCounter))).toBe(counted + 1);
    expect(outages(app)).toHaveLength(1);
    expect(recoveries(app)).toHaveLength(1);
  }, 30_000);

  it('does not lock a key out after the thaw with slots taken for calls the gateway had given up on', async () => {
    const app = await startApp({ rateLimitIpPerMinute: 0, rateLimitKeyPerMinute: 0, maxConcurrentPerKey: 2 });
    const key = 'sk-thawed';
    const slotSet = `gw-calls:${createApiKeyHasher()(key)}`;
    const clients = [new AbortController(), new AbortController()];

    redis.freeze();
    try {
      // Both slot scripts reach the frozen Redis; both calls go on, counted in memory.
      const frozen = await Promise.all(clients.map((client) => chat(app, key, { stream: true, signal: client.signal })));
      expect(frozen.map((response) => response.status)).toEqual([200, 200]);
    } finally {
      for (const client of clients) client.abort();
      redis.thaw();
    }
    await until(async () => {
      await (await chat(app, key)).text();
      return recoveries(app).length > 0;
    }, 'the recovery');

    // Redis ran the scripts after the thaw, and the removals sent behind them: the key has its whole cap
    // (the probe's own slot is released a moment after its answer).
    await until(async () => (await redis.command('ZCARD', slotSet)) === 0, 'the key’s slots to be free', 2000);
    const open = [new AbortController(), new AbortController()];
    const streams = await Promise.all(open.map((client) => chat(app, key, { stream: true, signal: client.signal })));
    expect(streams.map((response) => response.status)).toEqual([200, 200]);
    expect(await redis.command('ZCARD', slotSet)).toBe(2);
    const refused = await chat(app, key);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('too_many_concurrent_requests');
    for (const client of open) client.abort();
  }, 30_000);
});
