// Finding 2 and 5 of issue 6, as a hostile client plays them against a real server: bodies bounded in
// size, in time and together (the memory budget), and chat bodies capped in messages and text before
// any schema walks them. Each refusal fails only its own request; the server keeps answering.
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import { createLogger, createMemoryBudget, createOpenAIRouter, type MemoryBudget, type OpenAIRouterOptions } from '@gw/express-middleware';
import { startFakeDashScope, type FakeDashScope } from '@gw/fake-dashscope';
import { assertOpenAIShape } from '@gw/testkit';

const MB = 1024 * 1024;

interface Gateway {
  url: string;
  port: number;
  fake: FakeDashScope;
  budget: MemoryBudget;
  close(): Promise<void>;
}

/** The router in a plain Express app with a /health route, in front of a fake DashScope. */
async function startGateway({ budgetBytes, ...options }: Partial<OpenAIRouterOptions> & { budgetBytes: number }): Promise<Gateway> {
  const fake = await startFakeDashScope();
  const budget = createMemoryBudget({ maxBytes: budgetBytes });
  const app = express();
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use(
    '/v1',
    createOpenAIRouter({ dashscopeBaseUrl: fake.url, logger: createLogger({ level: 'silent' }), memoryBudget: budget, ...options }),
  );
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    fake,
    budget,
    async close() {
      server.closeAllConnections();
      await Promise.all([new Promise((resolve) => server.close(resolve)), fake.close()]);
    },
  };
}

interface SlowPost {
  /** The status of the answer, or 0 when the connection closed without one. */
  status: number;
  body: unknown;
  headers: Record<string, string>;
  /** Milliseconds from the first byte sent to the answer. */
  elapsedMs: number;
  /** Resolves once the connection closed. */
  closed: Promise<void>;
  socket: net.Socket;
}

/**
 * POSTs `length` bytes to /v1/chat/completions with a made-up key, over a plain socket, `pieceBytes`
 * every `intervalMs`, as `piece(offset, size)` makes them, stopping as soon as an answer arrives.
 */
function slowPost({
  port,
  length,
  piece,
  pieceBytes,
  intervalMs,
}: {
  port: number;
  length: number;
  piece: (offset: number, size: number) => Buffer | string;
  pieceBytes: number;
  intervalMs: number;
}): Promise<SlowPost> {
  const started = Date.now();
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(
    'POST /v1/chat/completions HTTP/1.1\r\nhost: gateway\r\nauthorization: Bearer sk-not-a-real-key\r\n' +
      `content-type: application/json\r\ncontent-length: ${length}\r\n\r\n`,
  );
  let answered = false;
  let sent = 0;
  const sendNext = () => {
    if (answered || socket.destroyed || sent >= length) return;
    const size = Math.min(pieceBytes, length - sent);
    const ready = socket.write(piece(sent, size));
    sent += size;
    if (ready) setTimeout(sendNext, intervalMs);
    else socket.once('drain', () => setTimeout(sendNext, intervalMs));
  };
  sendNext();
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    const onData = (data: Buffer) => {
      received = Buffer.concat([received, data]);
      const text = received.toString();
      const headEnd = text.indexOf('\r\n\r\n');
      if (headEnd === -1) return;
      const [statusLine = '', ...lines] = text.slice(0, headEnd).split('\r\n');
      const headers = Object.fromEntries(
        lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
      );
      const body = text.slice(headEnd + 4);
      if (Buffer.byteLength(body) < Number(headers['content-length'])) return;
      answered = true;
      socket.off('data', onData);
      const status = Number(statusLine.split(' ')[1]);
      resolve({ status, headers, body: JSON.parse(body) as unknown, elapsedMs: Date.now() - started, closed, socket });
    };
    socket.on('data', onData);
    void closed.then(() => {
      if (!answered) resolve({ status: 0, headers: {}, body: null, elapsedMs: Date.now() - started, closed, socket });
    });
  });
}

/** A chat body of exactly `length` bytes whose one message is all "a", produced piece by piece. */
function chatBodyOfLength(length: number): (offset: number, size: number) => Buffer {
  const head = Buffer.from('{"model":"qwen-turbo","messages":[{"role":"user","content":"');
  const tail = Buffer.from('"}]}');
  const filler = Buffer.alloc(256 * 1024, 'a');
  return (offset, size) => {
    if (offset >= head.length && offset + size <= length - tail.length && size <= filler.length) return filler.subarray(0, size);
    const bytes = Buffer.alloc(size);
    for (let index = 0; index < size; index += 1) {
      const position = offset + index;
      bytes[index] =
        position < head.length
          ? (head[position] ?? 0)
          : position >= length - tail.length
            ? (tail[position - (length - tail.length)] ?? 0)
            : 0x61;
    }
    return bytes;
  };
}

/** Polls /health until `until` settles; each answer's status and time. */
async function pollHealth(url: string, until: Promise<unknown>): Promise<Array<{ status: number; ms: number }>> {
  const answers: Array<{ status: number; ms: number }> = [];
  let done = false;
  void until.finally(() => {
    done = true;
  });
  while (!done) {
    const started = Date.now();
    const response = await fetch(`${url}/health`);
    await response.text();
    answers.push({ status: response.status, ms: Date.now() - started });
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return answers;
}

function expectOpenAIError(answer: { status: number; body: unknown }, status: number, code: string) {
  expect(answer.status).toBe(status);
  assertOpenAIShape('ErrorResponse', answer.body);
  expect(answer.body).toMatchObject({ error: { code } });
}

describe('a crowd of made-up keys sending ~10 MB bodies slowly', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway({ bodyLimit: '10mb', budgetBytes: 32 * MB });
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('gets 503 server_busy past the budget, keeps RSS bounded, and /health answers throughout', async () => {
    const connections = 60;
    const length = 10 * MB - 1;
    const rssBefore = process.memoryUsage.rss();
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
    }, 10);

    const crowd = Promise.all(
      Array.from({ length: connections }, () =>
        slowPost({ port: gateway.port, length, piece: chatBodyOfLength(length), pieceBytes: 256 * 1024, intervalMs: 20 }),
      ),
    );
    const [answers, health] = await Promise.all([crowd, pollHealth(gateway.url, crowd)]);
    clearInterval(sampler);
    for (const answer of answers) answer.socket.destroy();
    rssPeak = Math.max(rssPeak, process.memoryUsage.rss());

    const busy = answers.filter((answer) => answer.status === 503);
    const read = answers.filter((answer) => answer.status !== 503);
    // 32 MB holds three 10 MB bodies at a time; the crowd arrives at once, so nearly all are refused.
    expect(busy.length).toBeGreaterThanOrEqual(connections - 6);
    for (const answer of busy) {
      expectOpenAIError(answer, 503, 'server_busy');
      expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(answer.headers.connection).toBe('close');
    }
    // The bodies that fit were read whole, then refused by the text cap: none reached DashScope.
    expect(read.length).toBeGreaterThanOrEqual(1);
    for (const answer of read) expectOpenAIError(answer, 400, 'string_above_max_length');
    expect(gateway.fake.requests).toHaveLength(0);

    // Three bodies at a time took about 170 MB at the peak (raw chunks, their concatenation, the decoded
    // text, the parsed string); without the budget, the same crowd took about 1.9 GB.
    const growthMb = (rssPeak - rssBefore) / MB;
    expect(growthMb).toBeLessThan(400);

    expect(health.length).toBeGreaterThan(0);
    for (const answer of health) expect(answer.status).toBe(200);
    expect(Math.max(...health.map((answer) => answer.ms))).toBeLessThan(2000);

    // Every reservation was given back once its response closed.
    for (let attempt = 0; attempt < 200 && gateway.budget.inUse() > 0; attempt += 1)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(gateway.budget.inUse()).toBe(0);
    const after = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-test-key', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'qwen-turbo', messages: [{ role: 'user', content: 'still there?' }] }),
    });
    expect(after.status).toBe(200);
  }, 60_000);
});

describe('a body that trickles in', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway({ bodyLimit: '10mb', bodyTimeoutMs: 1000, budgetBytes: 32 * MB });
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('gets 408 request_timeout when the timeout passes, its connection is closed, and /health answers meanwhile', async () => {
    const length = 1000;
    const trickle = slowPost({ port: gateway.port, length, piece: (_offset, size) => ' '.repeat(size), pieceBytes: 1, intervalMs: 50 });
    const health = await pollHealth(gateway.url, trickle);
    const answer = await trickle;
    expectOpenAIError(answer, 408, 'request_timeout');
    expect(answer.body).toMatchObject({ error: { type: 'invalid_request_error' } });
    expect(answer.headers.connection).toBe('close');
    // 1000 bytes at 20 a second would take 50 s; the timeout cut it after about one.
    expect(answer.elapsedMs).toBeGreaterThanOrEqual(900);
    expect(answer.elapsedMs).toBeLessThan(10_000);
    await answer.closed;
    expect(health.length).toBeGreaterThan(0);
    for (const check of health) expect(check.status).toBe(200);
    for (let attempt = 0; attempt < 200 && gateway.budget.inUse() > 0; attempt += 1)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(gateway.budget.inUse()).toBe(0);
  });

  it('still reads bodies that arrive in time', async () => {
    const body = JSON.stringify({ model: 'qwen-turbo', messages: [{ role: 'user', content: 'on time' }] });
    const answer = await slowPost({
      port: gateway.port,
      length: Buffer.byteLength(body),
      piece: (offset, size) => body.slice(offset, offset + size),
      pieceBytes: 16,
      intervalMs: 20,
    });
    answer.socket.destroy();
    expect(answer.status).toBe(200);
  });
});

describe('a body of 340,000 empty messages (finding 5)', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway({ budgetBytes: 32 * MB });
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('gets OpenAI’s 400 naming messages, and nothing reaches DashScope', async () => {
    const body = `{"model":"qwen-turbo","messages":[${Array.from({ length: 340_000 }, () => '{}').join(',')}]}`;
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-not-a-real-key', 'content-type': 'application/json' },
      body,
    });
    const answer = { status: response.status, body: (await response.json()) as unknown };
    expectOpenAIError(answer, 400, 'array_above_max_length');
    expect(answer.body).toMatchObject({
      error: {
        type: 'invalid_request_error',
        param: 'messages',
        message:
          "Invalid 'messages': array too long. Expected an array with maximum length 2048, but got an array with length 340000 instead.",
      },
    });
    expect(gateway.fake.requests).toHaveLength(0);
  });

  it('follows the router’s requestLimits', async () => {
    const small = await startGateway({ budgetBytes: 32 * MB, requestLimits: { maxMessages: 2, maxTextLength: 1000 } });
    try {
      const post = (messages: unknown[]) =>
        fetch(`${small.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: 'Bearer sk-test-key', 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'qwen-turbo', messages }),
        });
      const message = { role: 'user', content: 'hi' };
      expect((await post([message, message])).status).toBe(200);
      const refused = await post([message, message, message]);
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { error: { param: string } }).error.param).toBe('messages');
    } finally {
      await small.close();
    }
  });
});
