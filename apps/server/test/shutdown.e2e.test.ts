import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request as httpRequest, Agent } from 'node:http';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { slowDrip, startFakeDashScope } from '@gw/fake-dashscope';
import { parseOpenAISse } from '@gw/testkit';
import { chatBody, postChat, startStack, waitFor } from './start-stack.js';

/**
 * Issue 6, finding 7: on SIGTERM the gateway stops taking connections, says `Connection: close` on
 * kept-alive ones, lets requests in flight finish within SHUTDOWN_DRAIN_MS, then ends the streams still
 * running with a `server_shutting_down` error event, and logs how many it cut.
 */

describe('graceful drain', () => {
  it('lets a stream in flight finish within the deadline, refuses new connections, and logs the drain', async () => {
    const stack = await startStack({ config: { shutdownDrainMs: 5_000 } });
    try {
      stack.fake.enqueue(slowDrip({ events: 8, intervalMs: 60 }));
      const streaming = await postChat(stack.url, chatBody({ stream: true }));
      expect(streaming.status).toBe(200);
      const shutdown = stack.gateway.shutdown();
      await expect(fetch(`${stack.url}/health`)).rejects.toThrow();
      const parsed = parseOpenAISse(await streaming.text());
      expect(parsed.done).toBe(true);
      expect(await shutdown).toEqual({ cut: 0 });
      expect(stack.logs.some((line) => line.includes('Drained: every request finished'))).toBe(true);
    } finally {
      await stack.close();
    }
  });

  it('ends streams still running at the deadline with a server_shutting_down event, and says how many it cut', async () => {
    const stack = await startStack({ config: { shutdownDrainMs: 300 } });
    try {
      stack.fake.enqueue(slowDrip({ events: 1_000, intervalMs: 30 }), slowDrip({ events: 1_000, intervalMs: 30 }));
      const streams = await Promise.all([postChat(stack.url, chatBody({ stream: true })), postChat(stack.url, chatBody({ stream: true }))]);
      const started = performance.now();
      const { cut } = await stack.gateway.shutdown();
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(cut).toBe(2);
      for (const stream of streams) {
        const { events, done } = parseOpenAISse(await stream.text());
        expect(done).toBe(false);
        expect(events.at(-1)).toMatchObject({ error: { code: 'server_shutting_down', type: 'server_error' } });
      }
      expect(stack.logs.some((line) => line.includes('Drain deadline reached') && line.includes('2'))).toBe(true);
      const completed = stack.logs.filter((line) => line.includes('Request completed'));
      expect(completed).toHaveLength(2);
      for (const line of completed) expect(line).toContain('Outcome: cut_at_shutdown');
      // The upstream streams were closed too (the fake notices at its next write).
      await waitFor(() => stack.fake.openResponses === 0);
    } finally {
      await stack.close();
    }
  });

  it('does not wait for a connection that is still sending its headers when nothing is in flight', async () => {
    const stack = await startStack({ config: { shutdownDrainMs: 5_000 } });
    try {
      const { hostname, port } = new URL(stack.url);
      const partial = connect(Number(port), hostname);
      await new Promise((resolve) => partial.once('connect', resolve));
      partial.write('GET /hea');
      const started = performance.now();
      expect(await stack.gateway.shutdown()).toEqual({ cut: 0 });
      expect(performance.now() - started).toBeLessThan(1_000);
      partial.destroy();
    } finally {
      await stack.close();
    }
  });

  it('cuts every stream at once on a second signal, each with its error event', async () => {
    const stack = await startStack({ config: { shutdownDrainMs: 30_000 } });
    try {
      stack.fake.enqueue(slowDrip({ events: 1_000, intervalMs: 30 }));
      const stream = await postChat(stack.url, chatBody({ stream: true }));
      void stack.gateway.shutdown();
      expect(stack.gateway.cutNow()).toBe(1);
      const { events, done } = parseOpenAISse(await stream.text());
      expect(done).toBe(false);
      expect(events.at(-1)).toMatchObject({ error: { code: 'server_shutting_down' } });
    } finally {
      await stack.close();
    }
  });

  it('answers a request that is still waiting for DashScope 503 server_shutting_down at the deadline', async () => {
    const stack = await startStack({ config: { shutdownDrainMs: 200 } });
    try {
      stack.fake.enqueue({ type: 'hang' });
      const waiting = postChat(stack.url, chatBody());
      await waitFor(() => stack.fake.requests.length === 1);
      await stack.gateway.shutdown();
      const response = await waiting;
      expect(response.status).toBe(503);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('server_shutting_down');
    } finally {
      await stack.close();
    }
  });

  it('closes a kept-alive connection that was busy at SIGTERM once its response is over, instead of serving it more', async () => {
    const stack = await startStack({ config: { shutdownDrainMs: 5_000 } });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      // Another request keeps the drain going, so only the rule for busy connections can close this one.
      stack.fake.enqueue(slowDrip({ events: 5, intervalMs: 60 }), { type: 'hang' });
      const closedAfterEnd = await new Promise<number>((resolve, reject) => {
        const outgoing = httpRequest(chatRequestOptions(stack.url, agent), (response) => {
          expect(response.headers.connection).toBe('keep-alive');
          void postChat(stack.url, chatBody()).catch(() => undefined);
          void waitFor(() => stack.fake.requests.length === 2).then(() => stack.gateway.shutdown());
          let endedAt = 0;
          response.socket.once('close', () => resolve(performance.now() - endedAt));
          response.resume();
          response.once('end', () => (endedAt = performance.now()));
        });
        outgoing.once('error', reject);
        outgoing.end(JSON.stringify(chatBody({ stream: true })));
      });
      expect(closedAfterEnd).toBeLessThan(1_000);
      expect(stack.gateway.server.listening).toBe(false);
    } finally {
      agent.destroy();
      await stack.close();
    }
  });

  it('marks responses that start while draining with Connection: close', async () => {
    const stack = await startStack({ config: { shutdownDrainMs: 5_000 } });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const { hostname, port } = new URL(stack.url);
      const get = () =>
        new Promise<string | undefined>((resolve, reject) => {
          const outgoing = httpRequest({ host: hostname, port, agent, path: '/health' }, (response) => {
            response.resume();
            response.once('end', () => resolve(response.headers.connection));
          });
          outgoing.once('error', reject);
          outgoing.end();
        });
      expect(await get()).toBe('keep-alive');
      // The kept-alive socket is idle now; a second request on it is in flight when the drain begins.
      stack.fake.enqueue({ type: 'hang' });
      const inFlight = new Promise<string | undefined>((resolve, reject) => {
        const outgoing = httpRequest(chatRequestOptions(stack.url, agent), (response) => {
          response.resume();
          response.once('end', () => resolve(response.headers.connection));
        });
        outgoing.once('error', reject);
        outgoing.end(JSON.stringify(chatBody()));
      });
      await waitFor(() => stack.fake.requests.length === 1);
      const shutdown = stack.gateway.shutdown();
      stack.fake.reset();
      await stack.fake.close();
      expect(await inFlight).toBe('close');
      await shutdown;
    } finally {
      agent.destroy();
      await stack.close();
    }
  });
});

describe('SIGTERM to the built server', () => {
  const mainPath = fileURLToPath(new URL('../dist/main.js', import.meta.url));

  it('drains, cuts a stream at SHUTDOWN_DRAIN_MS with an error event, logs it, and exits 0', async () => {
    if (!existsSync(mainPath)) throw new Error(`${mainPath} is missing: run \`pnpm build\` first (\`pnpm test\` does).`);
    const fake = await startFakeDashScope({ behave: () => slowDrip({ events: 10_000, intervalMs: 50 }) });
    const child = spawn(process.execPath, [mainPath], {
      env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', DASHSCOPE_BASE_URL: fake.url, SHUTDOWN_DRAIN_MS: '400' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitFor(() => /listening on (http:\/\/\S+)/.test(output), 10_000);
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1] ?? '';
      const stream = await postChat(url, chatBody({ stream: true }));
      expect(stream.status).toBe(200);
      const started = performance.now();
      child.kill('SIGTERM');
      const { events, done } = parseOpenAISse(await stream.text());
      expect(done).toBe(false);
      expect(events.at(-1)).toMatchObject({ error: { code: 'server_shutting_down' } });
      expect(await exited).toBe(0);
      expect(performance.now() - started).toBeLessThan(3_000);
      expect(output).toContain('Received SIGTERM, shutting down');
      expect(output).toMatch(/Drain deadline reached.*Cut: 1|Drain deadline reached.*cut/);
      expect(output).toContain('Outcome: cut_at_shutdown');
    } finally {
      child.kill('SIGKILL');
      await fake.close();
    }
  });
});

/** A chat POST on a given keep-alive agent (node:http: fetch hides which connection it uses). */
function chatRequestOptions(url: string, agent: Agent) {
  const { hostname, port } = new URL(url);
  return {
    host: hostname,
    port,
    agent,
    method: 'POST',
    path: '/v1/chat/completions',
    headers: { authorization: 'Bearer sk-a', 'content-type': 'application/json' },
  };
}
