import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { createApiKeyHasher } from '@gw/express-middleware';
import { startFakeDashScope, type FakeDashScope } from '@gw/fake-dashscope';
import { describeWithRedis, startRedis, type RunningRedis } from '../support/start-redis.js';

/**
 * Two gateway processes behind one imaginary balancer, sharing their rate limits through a real Redis
 * (REDIS_URL), in front of one fake DashScope. `pnpm test` builds apps/server/dist before Jest runs.
 */
const describeRedis = describeWithRedis('redis-shared-limits.e2e.test.ts');
const main = fileURLToPath(new URL('../../apps/server/dist/main.js', import.meta.url));
const KEY_PER_MINUTE = 5;
const CALLS_PER_KEY = 2;

interface GatewayProcess {
  url: string;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  stop(): void;
}

async function startGateway(environment: Record<string, string>): Promise<GatewayProcess> {
  if (!existsSync(main)) throw new Error(`${main} is missing: build first (pnpm exec tsc -b)`);
  const child: ChildProcess = spawn(process.execPath, [main], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const gateway = { url: '', output: () => output, stop: () => void child.kill('SIGKILL') };
  try {
    await until(() => child.exitCode !== null || /listening on http:\/\/127\.0\.0\.1:\d+/.test(output), 'the gateway to listen');
    const port = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1];
    if (port === undefined) throw new Error(`the gateway did not start:\n${output}`);
    gateway.url = `http://127.0.0.1:${port}`;
    // Until Redis is connected each process counts alone; the test starts once both share.
    await until(() => output.includes('Rate limits are shared through Redis'), `the gateway to reach Redis:\n${output}`);
  } catch (error) {
    gateway.stop();
    throw error;
  }
  return gateway;
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function postChat(
  gateway: GatewayProcess,
  key: string,
  { stream = false, signal, content = 'hi' }: { stream?: boolean; signal?: AbortSignal; content?: string } = {},
) {
  return fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'qwen-turbo', messages: [{ role: 'user', content }], stream }),
    signal: signal ?? AbortSignal.timeout(5000),
  });
}

describeRedis('two gateway processes sharing rate limits through Redis', () => {
  let redis: RunningRedis;
  let fake: FakeDashScope;
  let gateways: GatewayProcess[] = [];
  const openCalls: AbortController[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    // Slow events keep a stream open for seconds, unless the client leaves; a non-stream call whose message
    // says "slow" is never answered (until the client leaves).
    fake = await startFakeDashScope({
      eventDelayMs: 200,
      reply: () => '一二三四五六七八九十'.repeat(4),
      behave: (request) => (JSON.stringify(request.body).includes('slow') ? { type: 'hang' } : undefined),
    });
    const environment = {
      DASHSCOPE_BASE_URL: fake.url,
      REDIS_URL: redis.url,
      RATE_LIMIT_IP_PER_MINUTE: '1000',
      RATE_LIMIT_KEY_PER_MINUTE: String(KEY_PER_MINUTE),
      MAX_CONCURRENT_PER_KEY: String(CALLS_PER_KEY),
    };
    gateways = await Promise.all([startGateway(environment), startGateway(environment)]);
  }, 20_000);

  afterAll(async () => {
    for (const call of openCalls) call.abort();
    for (const gateway of gateways) gateway.stop();
    await fake?.close();
    await redis?.stop();
  });

  const gateway = (index: number) => gateways[index % 2] as GatewayProcess;

  it('refuses the 6th request of a key over both processes, at a limit of 5 per minute', async () => {
    for (let index = 0; index < KEY_PER_MINUTE; index += 1) {
      const response = await postChat(gateway(index), 'sk-shared-minute');
      expect(response.status).toBe(200);
      // One count across both: what is left goes down whichever process answers.
      expect(response.headers.get('x-ratelimit-remaining-requests')).toBe(String(KEY_PER_MINUTE - 1 - index));
      await response.body?.cancel();
    }
    const refused = await postChat(gateway(KEY_PER_MINUTE), 'sk-shared-minute');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get('x-ratelimit-limit-requests')).toBe(String(KEY_PER_MINUTE));
    const { error } = (await refused.json()) as { error: { type: string; code: string; message: string } };
    expect(error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded' });
    expect(error.message).toMatch(/^Rate limit reached for requests per minute \(RPM\) on this API key: Limit 5\. Try again in \d+s\.$/);
    expect((await postChat(gateway(KEY_PER_MINUTE + 1), 'sk-shared-minute')).status).toBe(429);
    // Another key is counted apart.
    expect((await postChat(gateway(0), 'sk-other-key')).status).toBe(200);
  });

  it('caps the calls a key has in flight across both processes, streams or not, and frees a slot when a client leaves', async () => {
    const key = 'sk-shared-calls';
    const setKey = `gw-calls:${createApiKeyHasher()(key)}`;
    const open = async (index: number, { stream = true, content }: { stream?: boolean; content?: string } = {}) => {
      const client = new AbortController();
      openCalls.push(client);
      const response = postChat(gateway(index), key, { stream, content, signal: client.signal });
      response.catch(() => undefined);
      return { client, response };
    };
    const first = await open(0);
    expect((await first.response).status).toBe(200);
    // A slow non-stream call holds a DashScope connection as long as a stream does: it counts as well.
    const slow = await open(1, { stream: false, content: 'slow' });
    await until(async () => (await redis.command('ZCARD', setKey)) === 2, 'both calls to be counted');
    // Leases, not the length of the longest call: a crashed process's slots free within a minute.
    const ttl = Number(await redis.command('PTTL', setKey));
    expect(ttl > 0 && ttl <= 60_000).toBe(true);

    for (const [index, stream] of [
      [0, true],
      [1, false],
    ] as const) {
      const refused = await postChat(gateway(index), key, { stream });
      expect(refused.status).toBe(429);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('too_many_concurrent_requests');
      expect(refused.headers.get('retry-after')).toBe('1');
    }

    first.client.abort();
    await until(async () => (await redis.command('ZCARD', setKey)) === 1, 'the slot to be released');
    const third = await open(1);
    expect((await third.response).status).toBe(200);
    slow.client.abort();
    third.client.abort();
    await until(async () => (await redis.command('ZCARD', setKey)) === 0, 'every slot to be released');
  });

  it('keeps serving when Redis dies, each process counting alone, and logs the outage once', async () => {
    await redis.kill();
    for (let index = 0; index < 6; index += 1) {
      const response = await postChat(gateway(index), 'sk-after-outage');
      expect(response.status).toBe(200);
      await response.body?.cancel();
    }
    const stream = await postChat(gateway(0), 'sk-after-outage', { stream: true });
    expect(stream.status).toBe(200);
    expect(await stream.text()).toContain('data: [DONE]');
    // Reconnects keep failing meanwhile; each process still says it once.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    for (const each of gateways) expect(each.output().match(/Redis is unreachable/g)).toHaveLength(1);
    const health = await fetch(`${gateway(1).url}/health`);
    expect(health.status).toBe(200);
  });
});
