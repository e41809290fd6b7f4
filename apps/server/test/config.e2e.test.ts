import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startFakeDashScope, type FakeDashScope } from '@gw/fake-dashscope';

/**
 * The built server as operators run it: `node apps/server/dist/main.js`, configured by the environment.
 * `pnpm test` builds first (tsc -b); a bare `jest` run needs `pnpm build` once.
 */
const mainPath = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const demoPath = fileURLToPath(new URL('../dist/demo.js', import.meta.url));

interface RunningProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children: ChildProcess[] = [];

function startMain(environment: Record<string, string>, scriptPath = mainPath): RunningProcess {
  if (!existsSync(scriptPath)) {
    throw new Error(`${scriptPath} is missing: run \`pnpm build\` (tsc -b) before these tests; \`pnpm test\` does it for you.`);
  }
  // Only what the test sets, plus PATH: the developer's own PORT or LOG_LEVEL must not leak in, nor
  // Jest's NODE_OPTIONS.
  const child = spawn(process.execPath, [scriptPath], {
    env: { PATH: process.env.PATH ?? '', ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

// Generous: two Jest workers share two cores with the servers they start.
async function waitForOutput(running: RunningProcess, pattern: RegExp, ms = 10_000): Promise<RegExpExecArray> {
  const deadline = Date.now() + ms;
  for (;;) {
    const match = pattern.exec(running.stdout());
    if (match !== null) return match;
    if (running.child.exitCode !== null)
      throw new Error(`the server exited (${running.child.exitCode}) before printing ${pattern}:\n${running.stdout()}${running.stderr()}`);
    if (Date.now() > deadline) throw new Error(`no ${pattern} within ${ms} ms:\n${running.stdout()}${running.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

let fake: FakeDashScope;
beforeAll(async () => {
  fake = await startFakeDashScope();
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await fake.close();
});

describe('node apps/server/dist/main.js', () => {
  it('is built', () => {
    expect(existsSync(mainPath)).toBe(true);
  });

  it('exits with code 1 and names the variable when the configuration is bad', async () => {
    const running = startMain({ PORT: 'abc' });
    const { code } = await withTimeout(running.exited, 5000, 'the process to exit');
    expect(code).toBe(1);
    expect(running.stderr()).toContain('PORT="abc"');
    expect(running.stdout()).not.toContain('listening');
  });

  it('listens where it is told, answers /health, and exits 0 on SIGTERM', async () => {
    const running = startMain({ PORT: '0', HOST: '127.0.0.1', DASHSCOPE_BASE_URL: fake.url });
    const [line, port] = await waitForOutput(running, /^.*listening on http:\/\/127\.0\.0\.1:(\d+).*$/m);
    expect(Number(port)).toBeGreaterThan(0);
    expect(line).toContain(fake.url);

    const response = await fetch(`http://127.0.0.1:${port}/health`);
    expect(response.status).toBe(200);
    const health = (await response.json()) as Record<string, unknown>;
    expect(health).toEqual({ status: 'healthy', timestamp: expect.any(Number), service: 'DashScope to OpenAI API Gateway' });
    // The request went through the request logger to stdout.
    await waitForOutput(running, /Request completed - IP: 127\.0\.0\.1, Status: 200, Time: \d+\.\d{3}s, API Key Hash: -/);

    const startedAt = Date.now();
    running.child.kill('SIGTERM');
    const { code, signal } = await withTimeout(running.exited, 4000, 'the server to exit after SIGTERM');
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(Date.now() - startedAt).toBeLessThan(4000);
    expect(running.stdout()).toContain('Received SIGTERM, shutting down');
    expect(running.stderr()).toBe('');
  });
});

describe('node apps/server/dist/demo.js (pnpm demo)', () => {
  it('serves the gateway in front of the bundled fake DashScope, with no key and no network', async () => {
    const running = startMain({ PORT: '0', HOST: '127.0.0.1', FAKE_DASHSCOPE_EVENT_DELAY_MS: '0' }, demoPath);
    const [, gatewayUrl] = await waitForOutput(running, /Demo: gateway on (http:\/\/127\.0\.0\.1:\d+), in front of a fake DashScope/);
    const response = await fetch(`${gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-demo', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'farui-plus', messages: [{ role: 'user', content: '你好' }] }),
    });
    expect(response.status).toBe(200);
    const completion = (await response.json()) as { choices: Array<{ message: { content: string } }> };
    expect(completion.choices[0]?.message.content).toContain('你好');
    running.child.kill('SIGTERM');
    const { code } = await withTimeout(running.exited, 6000, 'the demo to exit after SIGTERM');
    expect(code).toBe(0);
  });
});
