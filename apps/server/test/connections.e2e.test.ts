import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { eventFlood } from '@gw/fake-dashscope';
import { chatBody, postChat, startStack, waitFor } from './start-stack.js';

/**
 * Issue 6, findings 3, 4 and 6: the pool of connections to DashScope is bounded and its queue times
 * out; client connections that send nothing or stop reading are let go; keep-alive suits nginx in front.
 */

function address(url: string): { host: string; port: number } {
  const { hostname, port } = new URL(url);
  return { host: hostname, port: Number(port) };
}

function openSocket(url: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(address(url), () => resolve(socket));
    socket.once('error', reject);
  });
}

function closed(socket: Socket): Promise<string> {
  let received = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
  return new Promise((resolve) => socket.once('close', () => resolve(received)));
}

describe('the upstream pool (finding 3)', () => {
  it('answers 503 upstream_busy with Retry-After once every socket is busy for the queue wait, and logs it', async () => {
    const stack = await startStack({ config: { upstreamMaxSockets: 2, upstreamQueueTimeoutMs: 300 } });
    try {
      stack.fake.enqueue({ type: 'hang' }, { type: 'hang' });
      const hanging = [postChat(stack.url, chatBody()), postChat(stack.url, chatBody())];
      await waitFor(() => stack.fake.requests.length === 2);
      // An upgrade token in Connection would make the proxy library open an unpooled socket; not here.
      const started = performance.now();
      const [busy, upgrading] = await Promise.all([
        postChat(stack.url, chatBody()),
        post(stack.url, chatBody(), { connection: 'keep-alive, upgrade' }),
      ]);
      expect(busy.status).toBe(503);
      expect(busy.headers.get('retry-after')).toBe('1');
      expect(((await busy.json()) as { error: { code: string } }).error.code).toBe('upstream_busy');
      expect(upgrading.status).toBe(503);
      expect(upgrading.body).toContain('upstream_busy');
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(stack.fake.requests).toHaveLength(2);
      expect(stack.logs.some((line) => line.includes('Upstream request failed') && line.includes('upstream_busy'))).toBe(true);
      await stack.close();
      await Promise.allSettled(hanging);
    } finally {
      await stack.close();
    }
  });
});

describe('client connections (findings 4 and 6)', () => {
  it('closes connections that send nothing, or headers too slowly, after HEADERS_TIMEOUT_MS', async () => {
    const stack = await startStack({ config: { headersTimeoutMs: 300 } });
    try {
      const silent = await Promise.all(Array.from({ length: 50 }, () => openSocket(stack.url)));
      const slow = await openSocket(stack.url);
      slow.write('POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n');
      const started = performance.now();
      const answers = await Promise.all([...silent, slow].map((socket) => closed(socket)));
      expect(performance.now() - started).toBeLessThan(3_000);
      for (const answer of answers) expect(answer).toMatch(/^HTTP\/1\.1 408 |^$/);
      expect((await fetch(`${stack.url}/health`)).status).toBe(200);
    } finally {
      await stack.close();
    }
  });

  it('keeps idle connections open longer than nginx’s 60 s upstream keep-alive, with a header timeout inside it', async () => {
    const stack = await startStack();
    try {
      expect(stack.gateway.server.keepAliveTimeout).toBe(75_000);
      expect(stack.gateway.server.keepAliveTimeout).toBeGreaterThan(60_000);
      expect(stack.gateway.server.headersTimeout).toBeLessThan(stack.gateway.server.keepAliveTimeout);
      // Node checks its timeouts this often: with its 30 s default every limit would be up to 30 s late.
      expect(stack.gateway.server.requestTimeout).toBeGreaterThan(stack.gateway.server.headersTimeout);
    } finally {
      await stack.close();
    }
  });

  it('cuts a client that stops reading after SEND_TIMEOUT_MS, and closes the upstream stream too', async () => {
    const stack = await startStack({ config: { sendTimeoutMs: 400, upstreamIdleTimeoutMs: 200 } });
    try {
      stack.fake.enqueue(eventFlood({ eventChars: 4096 }));
      const { host, port } = address(stack.url);
      const body = JSON.stringify(chatBody({ stream: true }));
      const started = performance.now();
      const outgoing = httpRequest(
        {
          host,
          port,
          method: 'POST',
          path: '/v1/chat/completions',
          headers: { authorization: 'Bearer sk-slow', 'content-type': 'application/json' },
        },
        // Read the headers, then nothing: the socket's buffers fill and the gateway must stop waiting.
        (response) => response.pause(),
      );
      outgoing.once('error', () => undefined);
      outgoing.end(body);
      await waitFor(
        () => stack.logs.some((line) => line.includes('Request completed') && line.includes('client_send_timeout')),
        5_000,
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}\n${stack.logs.join('')}`);
      });
      expect(performance.now() - started).toBeLessThan(5_000);
      await waitFor(() => stack.fake.openResponses === 0);
      outgoing.destroy();
      // Held up by the client, DashScope's silence was not reported as DashScope's timeout.
      expect(stack.logs.some((line) => line.includes('upstream_timeout'))).toBe(false);
    } finally {
      await stack.close();
    }
  });

  it('lets one address hold at most MAX_CONNECTIONS_PER_IP connections, while another address is served', async () => {
    const stack = await startStack({ config: { maxConnectionsPerIp: 4, headersTimeoutMs: 5_000 } });
    try {
      const held = await Promise.all(Array.from({ length: 4 }, () => openSocket(stack.url)));
      const extra = await openSocket(stack.url);
      expect(await closed(extra)).toBe('');
      await waitFor(() => stack.logs.some((line) => line.includes('MAX_CONNECTIONS_PER_IP')), 3_000);
      // Another loopback address is another client.
      const other = await new Promise<Socket>((resolve, reject) => {
        const socket = connect({ ...address(stack.url), localAddress: '127.0.0.2' }, () => resolve(socket));
        socket.once('error', reject);
      });
      other.write('GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      expect(await closed(other)).toMatch(/^HTTP\/1\.1 200 /);
      for (const socket of held) socket.destroy();
    } finally {
      await stack.close();
    }
  });

  it('refuses connections beyond MAX_CONNECTIONS and logs the drops, while the others are served', async () => {
    const stack = await startStack({ config: { maxConnections: 5, headersTimeoutMs: 5_000 } });
    try {
      const held = await Promise.all(Array.from({ length: 5 }, () => openSocket(stack.url)));
      const extra = await Promise.all(Array.from({ length: 3 }, () => openSocket(stack.url)));
      const refused = await Promise.all(extra.map((socket) => closed(socket)));
      expect(refused).toEqual(['', '', '']);
      await waitFor(() => stack.logs.some((line) => line.includes('MAX_CONNECTIONS')), 3_000);
      for (const socket of held) socket.destroy();
      while ((await connectionCount(stack.gateway.server)) > 0) await new Promise((resolve) => setTimeout(resolve, 20));
      expect((await fetch(`${stack.url}/health`)).status).toBe(200);
    } finally {
      await stack.close();
    }
  });
});

/** A POST with node:http, which (unlike fetch) sends any Connection header it is given. */
function post(url: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        ...address(url),
        method: 'POST',
        path: '/v1/chat/completions',
        headers: { authorization: 'Bearer sk-test-key', 'content-type': 'application/json', ...headers },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        response.once('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      },
    );
    outgoing.once('error', reject);
    outgoing.end(JSON.stringify(body));
  });
}

function connectionCount(server: import('node:http').Server): Promise<number> {
  return new Promise((resolve) => server.getConnections((_error, count) => resolve(count)));
}

describe('out of file descriptors (finding 6)', () => {
  const mainPath = fileURLToPath(new URL('../dist/main.js', import.meta.url));

  it('warns at start that MAX_CONNECTIONS does not fit, logs running out, and serves again once descriptors are free', async () => {
    if (!existsSync(mainPath)) throw new Error(`${mainPath} is missing: run \`pnpm build\` first (\`pnpm test\` does).`);
    // A descriptor limit far below MAX_CONNECTIONS, as on a host whose ulimit was never raised.
    const child = spawn('/bin/sh', ['-c', `ulimit -n 64 && exec "${process.execPath}" "${mainPath}"`], {
      env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', DASHSCOPE_BASE_URL: 'http://127.0.0.1:1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const sockets: Socket[] = [];
    try {
      await waitFor(() => /listening on http:\/\/\S+/.test(output), 10_000);
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1] ?? '';
      for (let index = 0; index < 100; index++) sockets.push(await openSocket(url));
      expect(output).toContain('The file-descriptor limit is below what MAX_CONNECTIONS and UPSTREAM_MAX_SOCKETS may need');
      await waitFor(() => output.includes('Nearly out of file descriptors'), 5_000);
      expect(child.exitCode).toBeNull();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect((await fetch(`${url}/health`)).status).toBe(200);
    } finally {
      for (const socket of sockets) socket.destroy();
      child.kill('SIGKILL');
    }
  });
});
