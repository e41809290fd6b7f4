import { startFakeDashScope, type FakeDashScope, type FakeDashScopeOptions } from '@gw/fake-dashscope';
import { createLogger } from '@gw/express-middleware';
import { loadConfig, type GatewayConfig } from '../src/config.js';
import { startServer, type RunningServer } from '../src/start-server.js';

export interface Stack {
  fake: FakeDashScope;
  gateway: RunningServer;
  /** The gateway's base URL (http://127.0.0.1:port). */
  url: string;
  /** Every log line the gateway wrote. */
  logs: string[];
  close(): Promise<void>;
}

/** A real gateway on an ephemeral port in front of a real fake DashScope on another. */
export async function startStack({
  fake: fakeOptions = {},
  config: overrides = {},
}: { fake?: FakeDashScopeOptions; config?: Partial<GatewayConfig> } = {}): Promise<Stack> {
  const fake = await startFakeDashScope(fakeOptions);
  const logs: string[] = [];
  // Rate limits are off unless a test turns them on: suites send thousands of requests from one IP.
  const config: GatewayConfig = {
    ...loadConfig({}),
    port: 0,
    host: '127.0.0.1',
    dashscopeBaseUrl: fake.url,
    rateLimitIpPerMinute: 0,
    rateLimitKeyPerMinute: 0,
    maxConcurrentPerKey: 0,
    ...overrides,
  };
  const logger = createLogger({ level: config.logLevel, format: config.logFormat, write: (line) => void logs.push(line) });
  const gateway = await startServer({ config, logger });
  return {
    fake,
    gateway,
    url: gateway.url,
    logs,
    async close() {
      gateway.server.closeAllConnections();
      await Promise.all([gateway.close(), fake.close()]);
    },
  };
}

export function chatBody(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: 'farui-plus', messages: [{ role: 'user', content: '你好' }], ...extra };
}

export async function postChat(
  url: string,
  body: unknown,
  { key = 'sk-test-key', headers = {} }: { key?: string | null; headers?: Record<string, string> } = {},
) {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key === null ? {} : { authorization: `Bearer ${key}` }), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Polls `condition` every 20 ms until it holds; throws after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
